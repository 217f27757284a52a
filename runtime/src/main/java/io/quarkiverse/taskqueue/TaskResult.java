package io.quarkiverse.taskqueue;

/**
 * A finished task: its final state, its value as JSON text ({@code null} for a {@code void} handler or a
 * task that did not succeed) and the handler's error message when it failed.
 */
public record TaskResult(TaskId id, TaskState state, String value, String error, int attempts) {

    public boolean succeeded() {
        return state == TaskState.SUCCEEDED;
    }
}
