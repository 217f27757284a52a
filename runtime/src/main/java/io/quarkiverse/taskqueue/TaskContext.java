package io.quarkiverse.taskqueue;

import java.time.Instant;

/** What a running handler can know about its task. Declare it as a handler parameter to get it. */
public interface TaskContext {

    TaskId taskId();

    String taskType();

    /** 1 for the first run, 2 for the first retry, and so on. */
    int attempt();

    /** The task's group, or {@code null}. */
    String groupId();

    /** True once the task was cancelled or timed out: a long handler should check it and return. */
    boolean isCancellationRequested();

    /** When this attempt times out, or {@code null} when no timeout applies. */
    Instant deadline();
}
