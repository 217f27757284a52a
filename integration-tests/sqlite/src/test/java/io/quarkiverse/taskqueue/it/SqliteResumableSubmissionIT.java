package io.quarkiverse.taskqueue.it;

import static io.quarkiverse.taskqueue.it.AppProcess.awaitTrue;
import static io.quarkiverse.taskqueue.it.AppProcess.query;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * Real crashes of the packaged application: a submission with an id killed midway is finished by the same call after
 * the restart, and a group's callback stored before a kill runs once after it.
 */
class SqliteResumableSubmissionIT {

    static final int TASKS = 100_000;
    static final String RESUMABLE_BATCH = "it.scenario=resumable-batch";

    @Test
    void aSubmissionKilledMidwayIsFinishedByTheSameCallAfterARestartAsIfUninterrupted() throws Exception {
        String uninterrupted;
        try (AppProcess whole = AppProcess.start(AppProcess.freshFile("resumable-whole"), RESUMABLE_BATCH,
                "it.count=" + TASKS, "it.chunk-size=1000", "quarkus.taskqueue.worker.enabled=false")) {
            uninterrupted = whole.scenarioLine(Duration.ofSeconds(90));
        }
        assertThat(uninterrupted).startsWith("SCENARIO submitted=89999 deduplicated=10000 failed=[7777:no_such_type]");

        for (int attempt = 0; attempt < 5; attempt++) {
            Path store = AppProcess.freshFile("resumable-killed");
            try (AppProcess first = AppProcess.start(store, RESUMABLE_BATCH, "it.count=" + TASKS,
                    "it.chunk-size=1000", "quarkus.taskqueue.worker.enabled=false")) {
                awaitTrue(Duration.ofSeconds(60), "the first chunks committed",
                        () -> query(store, "SELECT count(*) FROM tq_task") > 0);
                first.kill();
            }
            long written = query(store, "SELECT count(*) FROM tq_task");
            if (written >= 89_999) {
                continue; // the batch finished before the kill landed: try again
            }

            try (AppProcess second = AppProcess.start(store, RESUMABLE_BATCH, "it.count=" + TASKS,
                    "it.chunk-size=1000", "quarkus.taskqueue.worker.enabled=false")) {
                assertThat(second.scenarioLine(Duration.ofSeconds(90))).as("the outcome of the whole batch")
                        .isEqualTo(uninterrupted);
            }
            assertThat(query(store, "SELECT count(*) FROM tq_task")).as("each task written once").isEqualTo(89_999);
            assertThat(query(store, "SELECT count(DISTINCT dedup_key) FROM tq_task")).isEqualTo(89_999);
            return;
        }
        throw new AssertionError("the batch always finished before the kill; could not test a mid-batch crash");
    }

    @Test
    void aCallbackStoredBeforeAKillRunsOnceAfterTheRestart() throws Exception {
        Path store = AppProcess.freshFile("callback-kill");
        Path executions = AppProcess.freshFile("callback-executions");
        int tasks = 5_000;
        try (AppProcess first = AppProcess.start(store, "it.scenario=callback-group", "it.count=" + tasks,
                "it.exec-db=" + executions, "quarkus.taskqueue.lease-duration=5m")) {
            assertThat(first.scenarioLine(Duration.ofSeconds(60))).startsWith("SCENARIO callback=");
            awaitTrue(Duration.ofSeconds(60), "some tasks of the group ran",
                    () -> query(executions, "SELECT count(*) FROM execution") >= 500);
            first.kill();
        }
        assertThat(query(executions, "SELECT count(DISTINCT task_id) FROM execution")).isLessThan(tasks);
        assertThat(query(executions, "SELECT count(*) FROM callback")).isZero();

        try (AppProcess second = AppProcess.start(store, "it.exec-db=" + executions,
                "quarkus.taskqueue.lease-duration=5m")) {
            awaitTrue(Duration.ofSeconds(90), "the callback ran",
                    () -> query(executions, "SELECT count(*) FROM callback") > 0);
            Thread.sleep(1_000); // time for a second run, which must not come
        }
        assertThat(query(executions, "SELECT count(DISTINCT task_id) FROM execution")).isEqualTo(tasks);
        assertThat(query(executions, "SELECT count(*) FROM callback")).as("the callback ran once").isEqualTo(1);
        // what its handler read: the whole group, final
        assertThat(query(executions, "SELECT total FROM callback")).isEqualTo(tasks);
        assertThat(query(executions, "SELECT succeeded FROM callback")).isEqualTo(tasks);
        assertThat(query(executions, "SELECT done FROM callback")).isEqualTo(1);
    }
}
