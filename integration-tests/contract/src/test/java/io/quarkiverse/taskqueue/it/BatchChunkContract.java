package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.TaskEvent;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Batch rules 3, 4 and 6: chunked transactions, one BatchSubmitted event per chunk (no per-task submitted events),
 * and {@code submitted} in input order.
 */
public abstract class BatchChunkContract {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    TaskQueue queue;

    @Test
    void aBatchIsWrittenInChunksWithOneEventEach() {
        ConcurrentLinkedQueue<TaskEvent> events = new ConcurrentLinkedQueue<>();
        Cancellable subscription = queue.events().subscribe().with(events::add);
        try {
            BatchOutcome outcome = queue.submitBatch(BatchSubmission.create()
                    .tasks(IntStream.range(0, 1050).mapToObj(i -> TaskSubmission.of("noop", i)))
                    .chunkSize(100)).await().atMost(WAIT);

            assertThat(outcome.submitted()).hasSize(1050);
            assertThat(outcome.submitted()).isSorted();
            List<TaskEvent.BatchSubmitted> chunks = awaitChunks(events, outcome.batchId(), 11);
            assertThat(chunks).extracting(TaskEvent.BatchSubmitted::count)
                    .containsExactly(100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 50);
            List<TaskId> fromEvents = new ArrayList<>();
            chunks.forEach(c -> fromEvents.addAll(c.taskIds()));
            assertThat(fromEvents).isEqualTo(outcome.submitted());
            assertThat(events).noneMatch(e -> e instanceof TaskEvent.TaskSubmitted s
                    && outcome.submitted().contains(s.taskId()));
        } finally {
            subscription.cancel();
        }
    }

    @Test
    void submittedListsTasksInInputOrder() {
        List<TaskSubmission> tasks = IntStream.range(0, 30)
                .mapToObj(i -> TaskSubmission.of("record", "order-" + i).priority(i % 3)).toList();

        BatchOutcome outcome = queue.submitBatch(BatchSubmission.create().tasks(tasks).chunkSize(7)).await()
                .atMost(WAIT);

        assertThat(outcome.submitted()).hasSize(30).isSorted();
        for (int i = 0; i < 30; i++) {
            assertThat(queue.task(outcome.submitted().get(i)).info().await().atMost(WAIT).priority()).isEqualTo(i % 3);
        }
    }

    @Test
    void submitStreamEmitsOneOutcomePerChunkOnlyTheLastSmaller() {
        ConcurrentLinkedQueue<TaskEvent> events = new ConcurrentLinkedQueue<>();
        Cancellable subscription = queue.events().subscribe().with(events::add);
        try {
            List<BatchOutcome> outcomes = queue.submitStream(
                    Multi.createFrom().range(0, 2500).map(i -> TaskSubmission.of("noop", i)),
                    BatchSubmission.create().chunkSize(1000)).collect().asList().await().atMost(WAIT);

            assertThat(outcomes).extracting(o -> o.submitted().size()).containsExactly(1000, 1000, 500);
            assertThat(outcomes).extracting(BatchOutcome::batchId).containsOnly(outcomes.get(0).batchId());
            assertThat(awaitChunks(events, outcomes.get(0).batchId(), 3)).hasSize(3);
        } finally {
            subscription.cancel();
        }
    }

    @Test
    void submitStreamReportsFailuresAtTheirIndexInTheWholeStream() {
        List<BatchOutcome> outcomes = queue.submitStream(
                Multi.createFrom().range(0, 25).map(i -> TaskSubmission.of(i == 17 ? "nope" : "noop", i)),
                BatchSubmission.create().chunkSize(10)).collect().asList().await().atMost(WAIT);

        assertThat(outcomes).hasSize(3);
        assertThat(outcomes.get(1).failed()).singleElement().satisfies(f -> assertThat(f.index()).isEqualTo(17));
    }

    @Test
    void tasksOfAChunkRunWhileLaterChunksAreWritten() {
        ConcurrentLinkedQueue<TaskEvent> events = new ConcurrentLinkedQueue<>();
        Cancellable subscription = queue.events().subscribe().with(events::add);
        try {
            BatchOutcome outcome = queue.submitBatch(BatchSubmission.create()
                    .tasks(IntStream.range(0, 20_000).mapToObj(i -> TaskSubmission.of("noop", i)))
                    .chunkSize(1000)).await().atMost(WAIT);

            TaskId firstOfLastChunk = outcome.submitted().get(19_000);
            java.util.Set<TaskId> ours = new java.util.HashSet<>(outcome.submitted());
            awaitChunks(events, outcome.batchId(), 20); // events reach subscribers asynchronously
            int lastChunkEvent = -1;
            int firstStart = -1;
            List<TaskEvent> seen = new ArrayList<>(events);
            for (int i = 0; i < seen.size(); i++) {
                TaskEvent e = seen.get(i);
                if (firstStart < 0 && e instanceof TaskEvent.TaskStarted s && ours.contains(s.taskId())) {
                    firstStart = i;
                }
                if (e instanceof TaskEvent.BatchSubmitted b && b.taskIds().contains(firstOfLastChunk)) {
                    lastChunkEvent = i;
                }
            }
            assertThat(firstStart).isNotNegative().isLessThan(lastChunkEvent);
        } finally {
            subscription.cancel();
        }
    }

    private static List<TaskEvent.BatchSubmitted> awaitChunks(java.util.Collection<TaskEvent> events, String batchId, int count) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            List<TaskEvent.BatchSubmitted> chunks = events.stream()
                    .filter(e -> e instanceof TaskEvent.BatchSubmitted b && b.batchId().equals(batchId))
                    .map(e -> (TaskEvent.BatchSubmitted) e).toList();
            if (chunks.size() >= count || System.currentTimeMillis() > deadline) {
                return chunks;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
