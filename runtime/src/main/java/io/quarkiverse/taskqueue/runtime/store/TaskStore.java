package io.quarkiverse.taskqueue.runtime.store;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskInfo;
import io.quarkiverse.taskqueue.TaskResult;
import io.smallrye.mutiny.Uni;

/**
 * Where tasks are kept. Every method is safe to call from any thread, the event loop included: an
 * implementation does its I/O elsewhere. Items are emitted on the store's own threads, so callers hop off them
 * before running user code.
 */
public interface TaskStore extends TaskWrites {

    /**
     * Creates or upgrades the schema. A node that runs tasks ({@code worker}) also records its task types and
     * releases what dead processes held; one that does not (a submit-only node, the CLI) writes nothing more.
     */
    void start(boolean worker, Set<String> handlerTypes, StoreListener listener);

    /** Stops accepting work, after writing what was queued. */
    void stop();

    /**
     * The writes of a submission made inside the caller's transaction {@code tx}, which commits them or not. A
     * store that cannot write in it gives its own writes (the joiner then never finds one).
     */
    default TaskWrites joining(CallerTransaction tx) {
        return this;
    }

    /** Claims runnable tasks, highest priority first, then in submission order, within the budget. */
    Uni<List<ClaimedTask>> claim(ClaimBudget budget, String owner, long leaseMillis);

    /**
     * A standing claim: a store that can claims within {@code budget} in the same transaction as it writes single
     * submits, hands what it claimed to {@code claimed} (on its own thread) before it answers the submits, and runs
     * what that returns after. A task submitted on an idle queue then starts without a second transaction or hop.
     * Stores that cannot ignore it.
     */
    default void claimOnWrite(ClaimBudget budget, String owner, long leaseMillis,
            java.util.function.Function<List<ClaimedTask>, Runnable> claimed) {
    }

    /** Queues a completion; queued completions are written together, then reported to the listener. */
    void complete(Completion completion);

    /** Moves due SCHEDULED/RETRYING tasks to the queue; emits the next due time (epoch millis), or 0. */
    Uni<Long> promoteDue();

    /**
     * Extends the leases of tasks running on this node; emits those that should stop: cancelled or superseded
     * meanwhile, possibly by another process.
     */
    Uni<List<TaskId>> renewLeases(List<TaskId> running, String owner, long leaseMillis);

    /** Queues again the running tasks whose lease expired; emits how many. */
    Uni<Integer> recoverExpiredLeases();

    /** Puts running tasks back in the queue without counting the attempt (graceful shutdown). */
    Uni<Void> release(List<TaskId> running);

    Uni<CancelResult> cancel(TaskId id);

    /** Cancels a group's waiting tasks and asks its running ones to stop; emits both. */
    Uni<GroupCancel> cancelGroup(String groupId);

    /** Emits null for an unknown id. */
    Uni<TaskInfo> info(TaskId id);

    /** Emits null for an unknown id; the result of a task that is not final has its current state. */
    Uni<TaskResult> result(TaskId id);

    Uni<List<TaskResult>> results(List<TaskId> ids);

    /** Emits null for an unknown group. */
    Uni<GroupSummary> groupSummary(String groupId);

    /** True while some submission is still adding tasks to the group. */
    Uni<Boolean> groupOpen(String groupId);

    /**
     * Stores {@code callback}, which is not a member of the group, to be queued once, in the transaction that makes
     * the group complete; queued at once if the group is complete already. Fails with an
     * {@link IllegalArgumentException} for an unknown group. A callback whose dedup key an active task has is
     * {@link Placement.Kind#SKIPPED}.
     */
    Uni<Placement> attachCallback(String groupId, NewTask callback);

    /** The group's task ids in submission order. */
    Uni<List<TaskId>> groupTasks(String groupId);

    /**
     * Reaches the database, and checks what a write needs (a writable file for SQLite); emits whether tasks are
     * waiting to be claimed. Fails, naming what is wrong, when the store cannot work.
     */
    Uni<Boolean> probe();

    /** Deletes the receipts of the submissions with an id recorded before {@code createdBefore}; emits how many. */
    Uni<Integer> deleteSubmissions(long createdBefore);

    /** Counts by task type and state, and the age of the oldest waiting task. */
    Uni<QueueStats> stats();

    /** The task types applications that use this store have registered. */
    Uni<Set<String>> registeredTaskTypes();

    /**
     * The tasks whose last attempt failed: FAILED ones and RETRYING ones waiting for their next attempt, the most
     * recently finished first, at most {@code limit}. For tools (Dev UI): it reads the table, not an index.
     */
    Uni<List<TaskInfo>> failedTasks(int limit);

    /** The summaries of the groups created last, newest first, at most {@code limit}. */
    Uni<List<GroupSummary>> recentGroups(int limit);

    /**
     * Queues a FAILED or CANCELLED task again, as a fresh task: its attempts start from zero, its last error is kept.
     * Emits false for an unknown task or one in another state; fails with an {@link IllegalStateException} when an
     * active task holds its dedup key. Tells no dispatcher: the caller wakes its own, other nodes are notified.
     */
    Uni<Boolean> retry(TaskId id);

    /** The waiting tasks cancelled (id to task type), and the running ones asked to stop. */
    record GroupCancel(Map<TaskId, String> cancelled, List<TaskId> running) {
    }

    record QueueStats(Map<String, Map<String, Long>> countsByTypeAndState, Long oldestWaitingMillis) {
    }
}
