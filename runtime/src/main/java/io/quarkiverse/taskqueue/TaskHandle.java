package io.quarkiverse.taskqueue;

import java.time.Duration;

import io.smallrye.common.annotation.CheckReturnValue;
import io.smallrye.mutiny.Uni;

/** A handle on a stored task. Obtaining one never fails; its operations do when the task does not exist. */
public interface TaskHandle {

    TaskId id();

    /** The task type, or {@code null} for a handle made from an id alone. */
    String taskType();

    /** The task's current state; fails with {@link TaskNotFoundException} for an unknown id. */
    @CheckReturnValue
    Uni<TaskInfo> info();

    /** Emits once the task is final, in any final state (it does not fail for a FAILED or CANCELLED task). */
    @CheckReturnValue
    Uni<TaskResult> await();

    /** As {@link #await()}, failing with a {@code TimeoutException} after {@code timeout}. */
    @CheckReturnValue
    Uni<TaskResult> await(Duration timeout);

    /** Waits, then emits the value; fails with {@link TaskFailedException} if the task did not succeed. */
    @CheckReturnValue
    <T> Uni<T> value(Class<T> type);

    /** Cancels the task; emits false for an unknown or already finished task. */
    @CheckReturnValue
    Uni<Boolean> cancel();
}
