package io.quarkiverse.taskqueue.runtime.store;

import io.quarkiverse.taskqueue.TaskId;

/**
 * A task this node now runs: {@code attempt} counts this run (1 for the first); {@code owner} holds its lease.
 * A completion applies only while both still match, so a stale attempt cannot overwrite a later one.
 */
public record ClaimedTask(TaskId id, String taskType, String payload, int attempt, int priority, String groupId,
        String concurrencyKey, int maxRetries, String retryPolicy, Long timeoutMs, String owner) {
}
