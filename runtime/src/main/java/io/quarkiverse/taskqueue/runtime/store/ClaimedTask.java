package io.quarkiverse.taskqueue.runtime.store;

import io.quarkiverse.taskqueue.TaskId;

/** A task this node now runs: {@code attempt} counts this run (1 for the first). */
public record ClaimedTask(TaskId id, String taskType, String payload, int attempt, int priority, String groupId,
        String concurrencyKey, int maxRetries, String retryPolicy, Long timeoutMs) {
}
