package io.quarkiverse.taskqueue.runtime.store;

import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskState;

/**
 * The end of one attempt: {@code state} is final, or RETRYING with {@code dueAt} (0 = at once). For a failure
 * {@code error} is the message, {@code errorClass} the exception class and {@code errorTrace} its stack trace.
 */
public record Completion(ClaimedTask task, TaskState state, String result, String error, String errorClass,
        String errorTrace, long dueAt) {

    public TaskId id() {
        return task.id();
    }
}
