package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.RetryPolicy;
import io.quarkiverse.taskqueue.TaskGroup;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskInfo;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskResult;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkiverse.taskqueue.runtime.TaskQueueImpl;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;

/**
 * What the Dev UI reads and does on failed tasks and groups, on every store: the failed tasks with their last
 * error, the recent groups, and retrying a FAILED or CANCELLED task.
 */
public abstract class FailedTasksContract {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final TaskOptions ONCE = TaskOptions.builder().retries(0).build();
    /** Enough to see this test's tasks whatever the other tests of the application left. */
    static final int ALL = 10_000;

    @Inject
    TaskQueue queue;

    @Inject
    TaskQueueImpl queueImpl;

    @Inject
    TaskStore store;

    @Inject
    Fuse fuse;

    @Test
    void failedTasksAreListedNewestFirstWithTheirLastErrorAndRetryingOnesToo() {
        String first = label();
        String second = label();
        String retrying = label();
        String fine = label();
        TaskHandle older = failed(first);
        TaskHandle newer = failed(second);
        fuse.blow(retrying);
        TaskHandle waiting = queue.submit("fuse", retrying, TaskOptions.builder().retries(1)
                .retryPolicy(RetryPolicy.fixed(Duration.ofMinutes(5))).build()).await().atMost(WAIT);
        RunningTasksContract.awaitState(waiting, TaskState.RETRYING);
        TaskHandle succeeded = queue.submit("fuse", fine, ONCE).await().atMost(WAIT);
        succeeded.await().await().atMost(WAIT);

        List<TaskInfo> failed = store.failedTasks(ALL).await().atMost(WAIT);

        List<TaskId> ids = failed.stream().map(TaskInfo::id).toList();
        assertThat(ids).contains(older.id(), newer.id(), waiting.id()).doesNotContain(succeeded.id());
        assertThat(ids.indexOf(newer.id())).isLessThan(ids.indexOf(older.id()));
        TaskInfo newest = failed.get(ids.indexOf(newer.id()));
        assertThat(newest.state()).isEqualTo(TaskState.FAILED);
        assertThat(newest.taskType()).isEqualTo("fuse");
        assertThat(newest.attempts()).isEqualTo(1);
        assertThat(newest.lastError()).isEqualTo("fuse " + second + " is blown");
        assertThat(failed.get(ids.indexOf(waiting.id())).state()).isEqualTo(TaskState.RETRYING);
        assertThat(store.failedTasks(1).await().atMost(WAIT)).hasSize(1);

        assertThat(waiting.cancel().await().atMost(WAIT)).isTrue();
    }

    @Test
    void aRetriedTaskRunsAgainFromItsFirstAttemptAndKeepsItsLastError() {
        String label = label();
        TaskHandle handle = failed(label);
        fuse.repair(label);

        assertThat(queueImpl.retryTask(handle.id()).await().atMost(WAIT)).isTrue();

        TaskResult result = handle.await().await().atMost(WAIT);
        assertThat(result.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(handle.value(String.class).await().atMost(WAIT)).isEqualTo(label);
        assertThat(handle.info().await().atMost(WAIT).lastError()).isEqualTo("fuse " + label + " is blown");
        assertThat(store.failedTasks(ALL).await().atMost(WAIT)).extracting(TaskInfo::id).doesNotContain(handle.id());
    }

    @Test
    void aCancelledTaskCanBeRetriedAndAnUnfinishedSucceededOrUnknownOneCannot() {
        TaskHandle cancelled = queue.submit("fuse", label(), TaskOptions.builder().delay(Duration.ofMinutes(5)).build())
                .await().atMost(WAIT);
        assertThat(queueImpl.retryTask(cancelled.id()).await().atMost(WAIT)).as("a SCHEDULED task").isFalse();
        assertThat(cancelled.cancel().await().atMost(WAIT)).isTrue();

        assertThat(queueImpl.retryTask(cancelled.id()).await().atMost(WAIT)).isTrue();
        assertThat(cancelled.await().await().atMost(WAIT).state()).as("queued now, not after the delay")
                .isEqualTo(TaskState.SUCCEEDED);

        assertThat(queueImpl.retryTask(cancelled.id()).await().atMost(WAIT)).as("a SUCCEEDED task").isFalse();
        assertThat(queueImpl.retryTask(new TaskId(Long.MAX_VALUE)).await().atMost(WAIT)).as("an unknown task").isFalse();
    }

    @Test
    void aTaskWhoseDedupKeyAnActiveTaskHoldsIsNotRetried() {
        String key = "retry-" + UUID.randomUUID();
        String label = label();
        fuse.blow(label);
        TaskHandle failed = queue.submit(TaskSubmission.of("fuse", label).dedupKey(key).options(ONCE))
                .await().atMost(WAIT);
        assertThat(failed.await().await().atMost(WAIT).state()).isEqualTo(TaskState.FAILED);
        TaskHandle holder = queue.submit(TaskSubmission.of("fuse", label)
                .dedupKey(key).options(TaskOptions.builder().delay(Duration.ofMinutes(5)).build())).await().atMost(WAIT);

        assertThatThrownBy(() -> queueImpl.retryTask(failed.id()).await().atMost(WAIT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Task " + failed.id() + " cannot be retried: task " + holder.id() + " with the same dedup key '"
                        + key + "' is active; cancel it or wait until it is finished");
        assertThat(failed.info().await().atMost(WAIT).state()).isEqualTo(TaskState.FAILED);

        assertThat(holder.cancel().await().atMost(WAIT)).isTrue();
    }

    @Test
    void recentGroupsAreListedNewestFirstAndARetryReopensAGroup() throws InterruptedException {
        String label = label();
        fuse.blow(label);
        TaskGroup older = queue.group("retry-" + UUID.randomUUID(), List.of(TaskSubmission.of("fuse", label())), ONCE)
                .await().atMost(WAIT);
        older.await().await().atMost(WAIT);
        Thread.sleep(5); // the groups are ordered by their creation time, in milliseconds
        TaskGroup newer = queue.group("retry-" + UUID.randomUUID(),
                List.of(TaskSubmission.of("fuse", label), TaskSubmission.of("fuse", label())), ONCE).await().atMost(WAIT);
        assertThat(newer.await().await().atMost(WAIT)).isEqualTo(new GroupSummary(newer.id(), 2, 0, 0, 1, 1, 0));

        List<GroupSummary> groups = store.recentGroups(ALL).await().atMost(WAIT);

        List<String> ids = groups.stream().map(GroupSummary::groupId).toList();
        assertThat(ids).contains(older.id(), newer.id());
        assertThat(ids.indexOf(newer.id())).isLessThan(ids.indexOf(older.id()));
        assertThat(groups.get(ids.indexOf(newer.id()))).isEqualTo(new GroupSummary(newer.id(), 2, 0, 0, 1, 1, 0));
        assertThat(store.recentGroups(1).await().atMost(WAIT)).hasSize(1);

        fuse.repair(label);
        TaskHandle failed = newer.handles().get(0);
        assertThat(queueImpl.retryTask(failed.id()).await().atMost(WAIT)).isTrue();
        assertThat(failed.await().await().atMost(WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(queue.existingGroup(newer.id()).await().await().atMost(WAIT))
                .isEqualTo(new GroupSummary(newer.id(), 2, 0, 0, 2, 0, 0));
    }

    private TaskHandle failed(String label) {
        fuse.blow(label);
        TaskHandle handle = queue.submit("fuse", label, ONCE).await().atMost(WAIT);
        assertThat(handle.await().await().atMost(WAIT).state()).isEqualTo(TaskState.FAILED);
        return handle;
    }

    private static String label() {
        return UUID.randomUUID().toString();
    }
}
