package io.quarkiverse.taskqueue;

/** A task whose value was asked for ended without succeeding. */
public class TaskFailedException extends RuntimeException {

    private final transient TaskResult result;

    public TaskFailedException(TaskResult result) {
        super("Task " + result.id() + " ended " + result.state()
                + (result.error() != null ? ": " + result.error() : ""));
        this.result = result;
    }

    public TaskResult result() {
        return result;
    }
}
