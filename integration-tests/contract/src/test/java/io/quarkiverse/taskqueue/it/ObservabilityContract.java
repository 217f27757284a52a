package io.quarkiverse.taskqueue.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.restassured.path.json.JsonPath;

/**
 * What a user's monitoring sees, on every store: the meters at {@code /q/metrics} (Prometheus) after a batch, and
 * the readiness check at {@code /q/health/ready}.
 */
public abstract class ObservabilityContract {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String TYPE = "observed";

    @Inject
    TaskQueue queue;

    @Test
    void aBatchAndItsTasksAreCountedAndTimed() {
        double submitted = meter("taskqueue_tasks_submitted_total", TYPE);
        double started = meter("taskqueue_tasks_started_total", TYPE);
        double succeeded = meter("taskqueue_tasks_succeeded_total", TYPE);
        double timed = meter("taskqueue_task_duration_seconds_count", TYPE, "outcome", "SUCCEEDED");
        double batches = meter("taskqueue_batch_size_tasks_count");
        double batchTasks = meter("taskqueue_batch_size_tasks_sum");

        List<TaskSubmission> tasks = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            tasks.add(TaskSubmission.of(TYPE, "ok"));
        }
        BatchOutcome outcome = queue.submitBatch(tasks).await().atMost(WAIT);
        assertThat(outcome.submitted()).hasSize(500);

        eventually(() -> {
            assertThat(meter("taskqueue_tasks_submitted_total", TYPE) - submitted).isEqualTo(500);
            assertThat(meter("taskqueue_batch_size_tasks_count") - batches).isGreaterThanOrEqualTo(1);
            assertThat(meter("taskqueue_batch_size_tasks_sum") - batchTasks).isGreaterThanOrEqualTo(500);
            assertThat(meter("taskqueue_tasks_started_total", TYPE) - started).isEqualTo(500);
            assertThat(meter("taskqueue_tasks_succeeded_total", TYPE) - succeeded).isEqualTo(500);
            assertThat(meter("taskqueue_task_duration_seconds_count", TYPE, "outcome", "SUCCEEDED") - timed)
                    .isEqualTo(500);
        });
        assertThat(metrics()).contains("taskqueue_batch_duration_seconds_count");
    }

    @Test
    void retriesFailuresAndCancellationsAreCountedByType() {
        double retried = meter("taskqueue_tasks_retried_total", TYPE);
        double failed = meter("taskqueue_tasks_failed_total", TYPE);
        double cancelled = meter("taskqueue_tasks_cancelled_total", TYPE);

        TaskHandle once = queue.submit(TYPE, "once", TaskOptions.builder().retries(1).build()).await().atMost(WAIT);
        TaskHandle fails = queue.submit(TYPE, "fail", TaskOptions.builder().retries(0).build()).await().atMost(WAIT);
        TaskHandle later = queue.submit(TYPE, "ok", TaskOptions.builder().delay(Duration.ofHours(1)).build())
                .await().atMost(WAIT);
        assertThat(later.cancel().await().atMost(WAIT)).isTrue();
        assertThat(once.await().await().atMost(WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(fails.await().await().atMost(WAIT).state()).isEqualTo(TaskState.FAILED);

        eventually(() -> {
            assertThat(meter("taskqueue_tasks_retried_total", TYPE) - retried).isEqualTo(1);
            assertThat(meter("taskqueue_tasks_failed_total", TYPE) - failed).isEqualTo(1);
            assertThat(meter("taskqueue_tasks_cancelled_total", TYPE) - cancelled).isEqualTo(1);
        });
    }

    @Test
    void queueDepthByTypeAndStateAndTheOldestWaitingTaskAreGauged() {
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            inputs.add("ok");
        }
        List<TaskHandle> waiting = queue.map(TYPE, inputs, TaskOptions.builder().delay(Duration.ofHours(1)).build())
                .await().atMost(WAIT);
        try {
            // the gauges are refreshed from the store every 5 s
            eventually(() -> assertThat(meter("taskqueue_queue_depth_tasks", TYPE, "state", "SCHEDULED"))
                    .isGreaterThanOrEqualTo(40));
            assertThat(metrics()).contains("taskqueue_queue_oldest_age_seconds");
        } finally {
            waiting.forEach(h -> h.cancel().await().atMost(WAIT));
        }
    }

    @Test
    void readinessIsUpWithTheStoreAndTheDispatcherInItsDetails() {
        JsonPath health = given().get("/q/health/ready").then().statusCode(200).extract().jsonPath();

        assertThat(health.getString("status")).isEqualTo("UP");
        assertThat(health.getString("checks.find { it.name == 'TaskQueue' }.status")).isEqualTo("UP");
        assertThat(health.getString("checks.find { it.name == 'TaskQueue' }.data.store")).endsWith("TaskStore");
        assertThat(health.getString("checks.find { it.name == 'TaskQueue' }.data.dispatcher")).isEqualTo("running");
    }

    // ---------------------------------------------------------------- reading /q/metrics

    static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The sample of {@code name} whose labels include {@code type} and the given label pairs; 0 when absent. */
    static double meter(String name, String... typeAndLabels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(?:\\{([^}]*)})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(metrics());
        double sum = 0;
        while (m.find()) {
            String labels = m.group(1) == null ? "" : m.group(1);
            if (hasLabels(labels, typeAndLabels)) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    private static boolean hasLabels(String labels, String... typeAndLabels) {
        if (typeAndLabels.length == 0) {
            return true;
        }
        if (!labels.contains("type=\"" + typeAndLabels[0] + "\"")) {
            return false;
        }
        for (int i = 1; i + 1 < typeAndLabels.length; i += 2) {
            if (!labels.contains(typeAndLabels[i] + "=\"" + typeAndLabels[i + 1] + "\"")) {
                return false;
            }
        }
        return true;
    }

    static void eventually(Runnable assertion) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
