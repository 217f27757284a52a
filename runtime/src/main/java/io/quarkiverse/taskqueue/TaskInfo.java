package io.quarkiverse.taskqueue;

import java.time.Instant;

/**
 * A snapshot of a stored task. Timestamps are {@code null} until they happen. The last error of a failed attempt
 * is kept even once a retry succeeded: its message, the exception class and the stack trace (cut to 4,000
 * characters).
 */
public record TaskInfo(TaskId id, String taskType, TaskState state, int attempts, int priority, String groupId,
        String dedupKey, String concurrencyKey, String name, Instant createdAt, Instant runAt, Instant startedAt, Instant finishedAt,
        String lastError, String lastErrorClass, String lastErrorTrace) {
}
