package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskSubmission;

/** Batch rule 5: priority first, then submission order; priority holds at the moment a worker frees up. */
public abstract class FairnessContract {

    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    TaskQueue queue;

    @Inject
    Gate gate;

    @Inject
    Executions executions;

    @Test
    void higherPriorityRunsFirstAndEqualPrioritiesRunInSubmissionOrder() throws InterruptedException {
        executions.clear();
        gate.close();
        TaskHandle blocker = queue.submit("gate", null).await().atMost(WAIT);
        assertThat(gate.awaitEntered()).isTrue();

        BatchOutcome early = submit("early", 0);
        BatchOutcome urgent = submit("urgent", 5);
        BatchOutcome late = submit("late", 0);
        TaskHandle single = queue.submit(TaskSubmission.of("record", "single-urgent").priority(5)).await().atMost(WAIT);
        gate.open();

        blocker.await().await().atMost(WAIT);
        for (BatchOutcome o : List.of(early, urgent, late)) {
            for (var id : o.submitted()) {
                queue.task(id).await().await().atMost(WAIT);
            }
        }
        single.await().await().atMost(WAIT);
        assertThat(executions.order).containsExactly(
                "urgent-0", "urgent-1", "urgent-2", "single-urgent",
                "early-0", "early-1", "early-2",
                "late-0", "late-1", "late-2");
    }

    private BatchOutcome submit(String label, int priority) {
        return queue.submitBatch(BatchSubmission.create().defaultPriority(priority)
                .tasks(IntStream.range(0, 3).mapToObj(i -> TaskSubmission.of("record", label + "-" + i)).toList()))
                .await().atMost(WAIT);
    }
}
