package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.BatchFailure;
import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.TaskSubmission;

/** Batch rule 1: every task is validated before anything is written; an invalid task fails alone, at its index. */
public abstract class BatchValidationContract {

    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    TaskQueue queue;

    @Test
    void invalidTasksAreReportedAtTheirIndexAndTheRestIsSubmitted() {
        List<TaskSubmission> tasks = List.of(
                TaskSubmission.of("send_email", new Email("a@example.com", "hello")),
                TaskSubmission.of("no_such_type", "x"),
                TaskSubmission.of("add", List.of(1, 2)),
                TaskSubmission.of(null, "x"),
                TaskSubmission.of("  ", "x"),
                TaskSubmission.of("square", "not a number"),
                TaskSubmission.of("add", List.of(1)),
                TaskSubmission.of("noop", 1).dedupKey("k".repeat(513)),
                TaskSubmission.of("noop", 1).dedupKey(""),
                TaskSubmission.of("noop", new Object()),
                TaskSubmission.of("noop", 7));

        BatchOutcome outcome = queue.submitBatch(tasks).await().atMost(WAIT);

        assertThat(outcome.submitted()).hasSize(3);
        assertThat(outcome.failed()).extracting(BatchFailure::index).containsExactly(1, 3, 4, 5, 6, 7, 8, 9);
        assertThat(outcome.failed().get(0).message()).contains("unknown task type 'no_such_type'");
        assertThat(outcome.failed().get(0).taskType()).isEqualTo("no_such_type");
        assertThat(outcome.failed().get(1).message()).contains("task type is missing");
        assertThat(outcome.failed().get(2).message()).contains("task type is blank");
        assertThat(outcome.failed().get(3).message()).contains("does not fit").contains("square");
        assertThat(outcome.failed().get(4).message()).contains("takes 2 parameters, but got 1");
        assertThat(outcome.failed().get(5).message()).contains("513 characters").contains("512");
        assertThat(outcome.failed().get(6).message()).contains("dedup key is empty");
        assertThat(outcome.failed().get(7).message()).contains("does not fit");
        assertThat(queue.task(outcome.submitted().get(2)).await().await().atMost(WAIT).state())
                .isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void aPayloadJacksonCannotWriteIsReported() {
        BatchOutcome outcome = queue.submitBatch(List.of(TaskSubmission.of("echo", List.of(1, 2)),
                TaskSubmission.of("echo", new SelfReferencing()))).await().atMost(WAIT);

        assertThat(outcome.submitted()).hasSize(1);
        assertThat(outcome.failed()).singleElement().satisfies(f -> {
            assertThat(f.index()).isEqualTo(1);
            assertThat(f.message()).contains("cannot be written as JSON");
        });
    }

    @Test
    void anEmptyBatchIsAnEmptyOutcome() {
        BatchOutcome outcome = queue.submitBatch(List.of()).await().atMost(WAIT);

        assertThat(outcome.batchId()).isNotBlank();
        assertThat(outcome.submitted()).isEmpty();
        assertThat(outcome.deduplicated()).isEmpty();
        assertThat(outcome.superseded()).isEmpty();
        assertThat(outcome.failed()).isEmpty();
    }

    @Test
    void badOptionsFailWhereTheyAreBuilt() {
        assertThatThrownBy(() -> TaskOptions.builder().retries(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retries");
        assertThatThrownBy(() -> BatchSubmission.create().chunkSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chunkSize");
        assertThatThrownBy(() -> TaskOptions.builder().timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> TaskOptions.builder().delay(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay");
    }

    @Test
    void nullArgumentsFailFastNamingTheParameter() {
        assertThatThrownBy(() -> queue.submitBatch((BatchSubmission) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("batch");
        assertThatThrownBy(() -> BatchSubmission.create().add(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("task");
        assertThatThrownBy(() -> queue.submitStream(null, BatchSubmission.create()))
                .isInstanceOf(NullPointerException.class).hasMessage("tasks");
        assertThatThrownBy(() -> queue.map("noop", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("inputs");
    }

    @Test
    void aNullTaskInABatchIsReportedAtItsIndex() {
        List<TaskSubmission> tasks = new ArrayList<>();
        tasks.add(TaskSubmission.of("noop", 1));
        tasks.add(null);

        BatchOutcome outcome = queue.submitBatch(tasks).await().atMost(WAIT);

        assertThat(outcome.submitted()).hasSize(1);
        assertThat(outcome.failed()).singleElement().satisfies(f -> {
            assertThat(f.index()).isEqualTo(1);
            assertThat(f.message()).contains("null");
        });
    }

    /** Jackson cannot write an object that refers to itself. */
    public static class SelfReferencing {
        public SelfReferencing getSelf() {
            return this;
        }
    }
}
