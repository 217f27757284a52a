package io.quarkiverse.taskqueue;

import java.time.Instant;

/** A snapshot of a stored task. Timestamps are {@code null} until they happen. */
public record TaskInfo(TaskId id, String taskType, TaskState state, int attempts, int priority, String groupId,
        String dedupKey, String concurrencyKey, Instant createdAt, Instant runAt, Instant startedAt, Instant finishedAt,
        String lastError) {
}
