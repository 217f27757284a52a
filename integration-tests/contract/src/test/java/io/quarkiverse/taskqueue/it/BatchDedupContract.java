package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.DuplicateStrategy;
import io.quarkiverse.taskqueue.Superseded;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.TaskSubmission;

/** Batch rule 2: dedup keys, within a batch (last wins) and against active tasks (SKIP, SUPERSEDE, FAIL). */
public abstract class BatchDedupContract {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final TaskOptions LATER = TaskOptions.builder().delay(Duration.ofMinutes(10)).build();

    @Inject
    TaskQueue queue;

    String key(String name) {
        return name + "-" + UUID.randomUUID();
    }

    @Test
    void withinABatchTheLastTaskWithAKeyWins() {
        String k = key("dup");
        BatchOutcome outcome = queue.submitBatch(List.of(
                TaskSubmission.of("record", "first").dedupKey(k).options(LATER),
                TaskSubmission.of("record", "other").options(LATER),
                TaskSubmission.of("record", "last").dedupKey(k).options(LATER))).await().atMost(WAIT);

        assertThat(outcome.submitted()).hasSize(2);
        assertThat(outcome.deduplicated()).containsExactly(k);
        TaskId winner = outcome.submitted().get(1);
        assertThat(queue.task(winner).info().await().atMost(WAIT).dedupKey()).isEqualTo(k);
        assertThat(outcome.submitted().get(0)).isLessThan(winner);
    }

    @Test
    void skipDropsTasksWhoseKeyIsActive() {
        String k = key("skip");
        TaskHandle existing = queue.submit(TaskSubmission.of("noop", 1).dedupKey(k).options(LATER)).await()
                .atMost(WAIT);

        BatchOutcome outcome = queue.submitBatch(BatchSubmission.create()
                .add(TaskSubmission.of("noop", 2).dedupKey(k))
                .add(TaskSubmission.of("noop", 3).dedupKey(key("fresh")))
                .onDuplicate(DuplicateStrategy.SKIP)).await().atMost(WAIT);

        assertThat(outcome.deduplicated()).containsExactly(k);
        assertThat(outcome.submitted()).hasSize(1);
        assertThat(existing.info().await().atMost(WAIT).state()).isEqualTo(TaskState.SCHEDULED);
    }

    /** The store learns which tasks lost their key from what its insert wrote: the others keep their own ids. */
    @Test
    void tasksAroundASkippedOneGetTheirOwnIds() {
        String taken = key("taken");
        queue.submit(TaskSubmission.of("noop", 0).dedupKey(taken).options(LATER)).await().atMost(WAIT);
        String before = key("before");
        String after = key("after");

        BatchOutcome outcome = queue.submitBatch(BatchSubmission.create()
                .add(TaskSubmission.of("noop", 1).priority(1).options(LATER))
                .add(TaskSubmission.of("noop", 2).dedupKey(before).priority(2).options(LATER))
                .add(TaskSubmission.of("noop", 3).dedupKey(taken).priority(3).options(LATER))
                .add(TaskSubmission.of("noop", 4).priority(4).options(LATER))
                .add(TaskSubmission.of("noop", 5).dedupKey(after).priority(5).options(LATER))
                .onDuplicate(DuplicateStrategy.SKIP)).await().atMost(WAIT);

        assertThat(outcome.deduplicated()).containsExactly(taken);
        assertThat(outcome.submitted()).hasSize(4).isSorted();
        List<Integer> priorities = outcome.submitted().stream()
                .map(id -> queue.task(id).info().await().atMost(WAIT).priority()).toList();
        assertThat(priorities).containsExactly(1, 2, 4, 5);
        assertThat(queue.task(outcome.submitted().get(3)).info().await().atMost(WAIT).dedupKey()).isEqualTo(after);
    }

    @Test
    void supersedeReplacesTheWaitingTaskAndReportsThePair() {
        String k = key("supersede");
        TaskHandle existing = queue.submit(TaskSubmission.of("noop", 1).dedupKey(k).options(LATER)).await()
                .atMost(WAIT);

        BatchOutcome outcome = queue.submitBatch(BatchSubmission.create()
                .add(TaskSubmission.of("noop", 2).dedupKey(k))
                .onDuplicate(DuplicateStrategy.SUPERSEDE)).await().atMost(WAIT);

        assertThat(outcome.submitted()).hasSize(1);
        assertThat(outcome.superseded()).containsExactly(new Superseded(outcome.submitted().get(0), existing.id()));
        assertThat(existing.info().await().atMost(WAIT).state()).isEqualTo(TaskState.SUPERSEDED);
        assertThat(existing.await().await().atMost(WAIT).state()).isEqualTo(TaskState.SUPERSEDED);
        assertThat(queue.task(outcome.submitted().get(0)).await().await().atMost(WAIT).state())
                .isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void failReportsTheDuplicateAsAFailure() {
        String k = key("fail");
        TaskHandle existing = queue.submit(TaskSubmission.of("noop", 1).dedupKey(k).options(LATER)).await()
                .atMost(WAIT);

        BatchOutcome outcome = queue.submitBatch(BatchSubmission.create()
                .add(TaskSubmission.of("noop", 2))
                .add(TaskSubmission.of("noop", 3).dedupKey(k))
                .onDuplicate(DuplicateStrategy.FAIL)).await().atMost(WAIT);

        assertThat(outcome.submitted()).hasSize(1);
        assertThat(outcome.failed()).singleElement().satisfies(f -> {
            assertThat(f.index()).isEqualTo(1);
            assertThat(f.message()).contains(k).contains(existing.id().toString());
        });
    }

    @Test
    void onlyActiveTasksDeduplicate() {
        String k = key("finished");
        TaskHandle first = queue.submit(TaskSubmission.of("noop", 1).dedupKey(k)).await().atMost(WAIT);
        assertThat(first.await().await().atMost(WAIT).state()).isEqualTo(TaskState.SUCCEEDED);

        BatchOutcome outcome = queue.submitBatch(List.of(TaskSubmission.of("noop", 2).dedupKey(k))).await()
                .atMost(WAIT);

        assertThat(outcome.submitted()).hasSize(1);
        assertThat(outcome.deduplicated()).isEmpty();
    }

    @Test
    void aSingleSubmitOfAnActiveKeyReturnsTheActiveTask() {
        String k = key("single");
        TaskHandle first = queue.submit(TaskSubmission.of("noop", 1).dedupKey(k).options(LATER)).await().atMost(WAIT);

        TaskHandle second = queue.submit(TaskSubmission.of("noop", 2).dedupKey(k)).await().atMost(WAIT);

        assertThat(second.id()).isEqualTo(first.id());
    }
}
