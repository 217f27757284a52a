package io.quarkiverse.taskqueue;

/** A new task {@code task} that replaced the active task {@code replaced} with the same dedup key. */
public record Superseded(TaskId task, TaskId replaced) {
}
