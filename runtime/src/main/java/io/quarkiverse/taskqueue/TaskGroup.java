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

    /** Emits a summary as counts change, ending with one whose {@code done()} is true. */
    @CheckReturnValue
    Multi<GroupSummary> progress();
}
