package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.BatchFailure;
import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.DuplicateStrategy;
import io.quarkiverse.taskqueue.Superseded;
import io.quarkiverse.taskqueue.TaskEvent;
import io.quarkiverse.taskqueue.TaskGroup;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * A batch with a submission id, submitted again after a crash, a timeout or a lost response, writes only what its
 * first call did not commit and answers with the outcome of the whole batch.
 */
public abstract class ResumableSubmissionContract extends ClockedContract {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final TaskOptions LATER = TaskOptions.builder().delay(Duration.ofMinutes(10)).build();
    static final int TASKS = 1_000;
    static final int CHUNK = 100;

    @Inject
    TaskQueue queue;

    @Inject
    TaskStore store;

    /** 1,000 tasks of one import: a key repeated in the batch, a key already active, one invalid task. */
    List<TaskSubmission> tasks(String run, String activeKey) {
        List<TaskSubmission> tasks = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            tasks.add(TaskSubmission.of("record", run + "-" + i).dedupKey(run + "-key-" + (i % 990)).options(LATER));
        }
        tasks.set(7, TaskSubmission.of("no_such_type", 7));
        tasks.set(500, TaskSubmission.of("record", run + "-500").dedupKey(activeKey).options(LATER));
        return tasks;
    }

    BatchSubmission batch(List<TaskSubmission> tasks, String submissionId) {
        return BatchSubmission.create().tasks(tasks).chunkSize(CHUNK).onDuplicate(DuplicateStrategy.SUPERSEDE)
                .submissionId(submissionId);
    }

    long stored() {
        Map<String, Long> byState = store.stats().await().atMost(WAIT).countsByTypeAndState().get("record");
        return byState == null ? 0 : byState.values().stream().mapToLong(Long::longValue).sum();
    }

    String activeKey() {
        String key = "active-" + UUID.randomUUID();
        queue.submit(TaskSubmission.of("record", "already there").dedupKey(key).options(LATER)).await().atMost(WAIT);
        return key;
    }

    @Test
    void submittingAgainWritesNothingAndAnswersWithTheFirstOutcome() {
        String id = "import-" + UUID.randomUUID();
        List<TaskSubmission> tasks = tasks(id, activeKey());
        long before = stored();

        BatchOutcome first = queue.submitBatch(batch(tasks, id)).await().atMost(WAIT);
        long written = stored() - before;
        BatchOutcome again = queue.submitBatch(batch(tasks, id)).await().atMost(WAIT);

        assertThat(first.submitted()).hasSize(TASKS - 1 - 9); // one invalid, 9 keys repeated later in the batch
        assertThat(first.superseded()).hasSize(1);
        assertThat(first.failed()).extracting(BatchFailure::index).containsExactly(7);
        assertThat(again).isEqualTo(first);
        assertThat(stored() - before).isEqualTo(written).isEqualTo(first.submitted().size());
    }

    @Test
    void aBatchInterruptedAfterItsFirstChunkWritesOnlyTheRestWhenResumed() throws Exception {
        String id = "import-" + UUID.randomUUID();
        List<TaskSubmission> tasks = tasks(id, activeKey());
        long before = stored();

        CompletableFuture<TaskEvent.BatchSubmitted> firstChunk = new CompletableFuture<>();
        Cancellable events = queue.events().select().where(e -> e instanceof TaskEvent.BatchSubmitted)
                .subscribe().with(e -> firstChunk.complete((TaskEvent.BatchSubmitted) e));
        Cancellable call = queue.submitBatch(batch(tasks, id)).subscribe().with(o -> {
        }, e -> {
        });
        TaskEvent.BatchSubmitted chunk = firstChunk.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        call.cancel(); // the caller gave up: the chunks committed so far stay
        events.cancel();

        BatchOutcome resumed = queue.submitBatch(batch(tasks, id)).await().atMost(WAIT);

        assertThat(resumed.batchId()).isEqualTo(chunk.batchId());
        assertThat(resumed.submitted()).startsWith(chunk.taskIds().toArray(TaskId[]::new));
        assertThat(resumed.submitted()).hasSize(TASKS - 1 - 9).doesNotHaveDuplicates();
        assertThat(resumed.superseded()).hasSize(1);
        assertThat(resumed.failed()).extracting(BatchFailure::index).containsExactly(7);
        assertThat(stored() - before).as("each task written once").isEqualTo(resumed.submitted().size());

        // the same tasks under another id, uninterrupted, have the same outcome but for the ids
        String other = "import-" + UUID.randomUUID();
        BatchOutcome uninterrupted = queue.submitBatch(batch(tasks(other, activeKey()), other)).await().atMost(WAIT);
        assertThat(uninterrupted.submitted()).hasSameSizeAs(resumed.submitted());
        assertThat(uninterrupted.deduplicated()).hasSameSizeAs(resumed.deduplicated());
        assertThat(uninterrupted.superseded()).hasSameSizeAs(resumed.superseded());
        assertThat(uninterrupted.failed()).isEqualTo(resumed.failed());
    }

    @Test
    void twoCallsAtOnceWithOneIdWriteTheBatchOnce() {
        String id = "import-" + UUID.randomUUID();
        List<TaskSubmission> tasks = tasks(id, activeKey());
        long before = stored();

        CompletableFuture<BatchOutcome> one = queue.submitBatch(batch(tasks, id)).subscribeAsCompletionStage();
        CompletableFuture<BatchOutcome> two = queue.submitBatch(batch(tasks, id)).subscribeAsCompletionStage();
        BatchOutcome a = one.join();
        BatchOutcome b = two.join();

        assertThat(b).isEqualTo(a);
        assertThat(stored() - before).isEqualTo(a.submitted().size());
    }

    @Test
    void theSameIdWithOtherTasksFailsNamingTheIdAndWritesNothing() {
        String id = "import-" + UUID.randomUUID();
        String key = activeKey();
        List<TaskSubmission> tasks = tasks(id, key);
        queue.submitBatch(batch(tasks, id)).await().atMost(WAIT);
        long before = stored();

        List<TaskSubmission> changed = new ArrayList<>(tasks);
        changed.set(950, TaskSubmission.of("record", "something else").options(LATER));
        assertThatThrownBy(() -> queue.submitBatch(batch(changed, id)).await().atMost(WAIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(id).hasMessageContaining("were written with other tasks");
        assertThatThrownBy(() -> queue.submitBatch(batch(tasks.subList(0, 999), id)).await().atMost(WAIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(id).hasMessageContaining("a batch of 1000 task(s)");
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void anInterruptedStreamResumesWhereItsCommittedChunksEnd() {
        String id = "stream-" + UUID.randomUUID();
        List<TaskSubmission> tasks = tasks(id, activeKey());
        long before = stored();

        List<BatchOutcome> firstRun = new ArrayList<>();
        Multi<TaskSubmission> broken = Multi.createFrom().iterable(tasks).select().first(550)
                .onCompletion().failWith(() -> new IllegalStateException("the input file was cut off"));
        assertThatThrownBy(() -> queue.submitStream(broken, batch(List.of(), id))
                .onItem().invoke(firstRun::add).collect().asList().await().atMost(WAIT))
                .hasMessageContaining("cut off");
        assertThat(firstRun).hasSizeLessThanOrEqualTo(5); // a chunk in flight when the input broke may be unanswered

        List<BatchOutcome> resumed = queue.submitStream(Multi.createFrom().iterable(tasks), batch(List.of(), id))
                .collect().asList().await().atMost(WAIT);

        assertThat(resumed).hasSize(TASKS / CHUNK);
        assertThat(resumed.subList(0, firstRun.size())).isEqualTo(firstRun);
        List<TaskId> ids = resumed.stream().flatMap(o -> o.submitted().stream()).toList();
        // a stream dedups within a chunk: the 9 keys repeated 990 inputs later supersede their first tasks
        assertThat(ids).hasSize(TASKS - 1).doesNotHaveDuplicates();
        assertThat(resumed.stream().mapToInt(o -> o.superseded().size()).sum()).isEqualTo(1 + 9);
        assertThat(resumed.stream().map(BatchOutcome::batchId).distinct()).hasSize(1);
        assertThat(stored() - before).as("each task written once").isEqualTo(ids.size());
    }

    @Test
    void aSupersedeIsReadBackAsItWasMade() {
        String id = "import-" + UUID.randomUUID();
        String key = activeKey();
        List<TaskSubmission> tasks = List.of(TaskSubmission.of("record", "new").dedupKey(key).options(LATER));
        BatchOutcome first = queue.submitBatch(batch(tasks, id)).await().atMost(WAIT);
        BatchOutcome again = queue.submitBatch(batch(tasks, id)).await().atMost(WAIT);

        assertThat(first.superseded()).singleElement().extracting(Superseded::task)
                .isEqualTo(first.submitted().get(0));
        assertThat(again).isEqualTo(first);
    }

    @Test
    void afterTheRetentionTheIdStartsANewSubmission() {
        String id = "import-" + UUID.randomUUID();
        queue.submitBatch(batch(List.of(TaskSubmission.of("record", "day one").options(LATER)), id))
                .await().atMost(WAIT);
        long before = stored();

        clock.advance(Duration.ofHours(25)); // past the default retention of 24h
        BatchOutcome nextDay = queue.submitBatch(batch(List.of(TaskSubmission.of("record", "day two"),
                TaskSubmission.of("record", "day two, again")), id)).await().atMost(WAIT);

        assertThat(nextDay.submitted()).hasSize(2);
        assertThat(stored() - before).isEqualTo(2);
    }

    @Test
    void aMapInterruptedAfterItsFirstChunkReturnsAllItsHandlesWhenCalledAgain() throws Exception {
        String id = "map-" + UUID.randomUUID();
        // in a group only to cancel them all at the end: 25,000 tasks due later must not flood the tests after this
        TaskOptions options = LATER.toBuilder().submissionId(id).groupId(id).build();
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 25_000; i++) { // three chunks of the default 10,000
            inputs.add(id + "-" + i);
        }
        long before = stored();

        CompletableFuture<TaskEvent.BatchSubmitted> firstChunk = new CompletableFuture<>();
        Cancellable events = queue.events().select().where(e -> e instanceof TaskEvent.BatchSubmitted)
                .subscribe().with(e -> firstChunk.complete((TaskEvent.BatchSubmitted) e));
        Cancellable call = queue.map("record", inputs, options).subscribe().with(o -> {
        }, e -> {
        });
        TaskEvent.BatchSubmitted chunk = firstChunk.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        call.cancel();
        events.cancel();

        List<TaskHandle> handles = queue.map("record", inputs, options).await().atMost(WAIT);
        List<TaskHandle> again = queue.map("record", inputs, options).await().atMost(WAIT);

        assertThat(handles).hasSize(25_000);
        assertThat(handles.subList(0, chunk.taskIds().size())).extracting(TaskHandle::id)
                .containsExactlyElementsOf(chunk.taskIds());
        assertThat(handles).extracting(TaskHandle::id).doesNotHaveDuplicates();
        assertThat(again).extracting(TaskHandle::id).containsExactlyElementsOf(
                handles.stream().map(TaskHandle::id).toList());
        assertThat(stored() - before).as("each task written once").isEqualTo(25_000);
        assertThat(queue.existingGroup(id).cancel().await().atMost(WAIT)).isEqualTo(25_000);
    }

    @Test
    void aGroupWithASubmissionIdCalledAgainIsTheSameGroupWrittenOnce() {
        String id = "report-" + UUID.randomUUID();
        TaskOptions options = LATER.toBuilder().submissionId(id).build();
        List<TaskSubmission> pages = List.of(TaskSubmission.of("record", "page 1"),
                TaskSubmission.of("record", "page 2"), TaskSubmission.of("record", "page 3"));
        long before = stored();

        TaskGroup first = queue.group(id, pages, options).await().atMost(WAIT);
        TaskGroup again = queue.group(id, pages, options).await().atMost(WAIT);
        TaskOptions inputsOptions = LATER.toBuilder().submissionId(id + "-inputs").build();
        TaskGroup byType = queue.group(id + "-inputs", "record", List.of("a", "b"), inputsOptions)
                .await().atMost(WAIT);
        TaskGroup byTypeAgain = queue.group(id + "-inputs", "record", List.of("a", "b"), inputsOptions)
                .await().atMost(WAIT);

        assertThat(again.handles()).extracting(TaskHandle::id)
                .containsExactlyElementsOf(first.handles().stream().map(TaskHandle::id).toList());
        assertThat(again.summary().await().atMost(WAIT).total()).isEqualTo(3);
        assertThat(byTypeAgain.handles()).extracting(TaskHandle::id)
                .containsExactlyElementsOf(byType.handles().stream().map(TaskHandle::id).toList());
        assertThat(stored() - before).isEqualTo(5);
    }

    @Test
    void aSubmissionIdWhereNoCallCanResumeIsRejectedNamingIt() {
        TaskOptions withId = TaskOptions.builder().submissionId("misplaced").build();
        long before = stored();

        assertThatThrownBy(() -> queue.submit("record", "one", withId).await().atMost(WAIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("misplaced")
                .hasMessageContaining("dedupKey");
        assertThatThrownBy(() -> queue.group(null, List.of(TaskSubmission.of("record", "x")), withId))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("misplaced")
                .hasMessageContaining("groupId");
        assertThatThrownBy(() -> queue.submitBatch(BatchSubmission.create().defaultOptions(withId)
                .add(TaskSubmission.of("record", "x"))).await().atMost(WAIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("misplaced")
                .hasMessageContaining("BatchSubmission.submissionId");
        BatchOutcome outcome = queue.submitBatch(List.of(TaskSubmission.of("record", "fine").options(LATER),
                TaskSubmission.of("record", "own id").options(withId))).await().atMost(WAIT);
        assertThat(outcome.submitted()).hasSize(1);
        assertThat(outcome.failed()).singleElement().satisfies(f -> {
            assertThat(f.index()).isEqualTo(1);
            assertThat(f.message()).contains("misplaced", "own options");
        });
        assertThat(stored() - before).isEqualTo(1);
    }

    @Test
    void aBadSubmissionIdIsRejectedWhereItIsSet() {
        assertThatThrownBy(() -> BatchSubmission.create().submissionId(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("submissionId");
        assertThatThrownBy(() -> BatchSubmission.create().submissionId("x".repeat(201)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("200");
        assertThatThrownBy(() -> TaskOptions.builder().submissionId(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("submissionId");
    }
}
