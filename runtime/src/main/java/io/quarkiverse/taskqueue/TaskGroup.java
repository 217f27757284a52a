package io.quarkiverse.taskqueue;

import java.time.Duration;
import java.util.List;

import io.smallrye.common.annotation.CheckReturnValue;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** Tasks that share a group id, persisted: a group can be looked up again after a restart. */
public interface TaskGroup {

    String id();

    /** The group's tasks in submission order. */
    List<TaskHandle> handles();

    /** Emits the summary once every task of the group is final, failed ones included. */
    @CheckReturnValue
    Uni<GroupSummary> await();

    @CheckReturnValue
    Uni<GroupSummary> await(Duration timeout);

    /** Waits, then emits every value in submission order; fails with {@link GroupFailedException} if any failed. */
    @CheckReturnValue
    <T> Uni<List<T>> values(Class<T> type);

    /** Cancels the tasks that have not started; emits how many were cancelled. */
    @CheckReturnValue
    Uni<Integer> cancel();

    @CheckReturnValue
    Uni<GroupSummary> summary();

    /**
     * Stores {@code callback} at once, to be queued exactly once when every task of the group is final, whatever
     * their states (at once if the group is done already): after a crash of the process that wrote the group too, and
     * when the group's last task finishes on another node. The callback is not a member of the group; its handler
     * reads the outcome with {@code existingGroup(id).summary()} or {@code values(...)}. Several callbacks may be
     * attached, each runs once. Emits the callback's handle (its task is SCHEDULED until the group completes); fails
     * with an {@link IllegalArgumentException} for a group that has no tasks, or a callback that has a group id or a
     * delay of its own.
     */
    @CheckReturnValue
    Uni<TaskHandle> onComplete(TaskSubmission callback);

    /** Emits a summary as counts change, ending with one whose {@code done()} is true. */
    @CheckReturnValue
    Multi<GroupSummary> progress();
}
