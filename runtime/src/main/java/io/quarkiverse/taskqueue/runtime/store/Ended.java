package io.quarkiverse.taskqueue.runtime.store;

import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskState;

/** A task the store made final without a handler's completion: cancelled, superseded, or failed by lease recovery. */
public record Ended(TaskId id, String taskType, TaskState state, int attempts, String error) {
}
