package io.quarkiverse.taskqueue.runtime.store;

/**
 * A validated task ready to be written: payload already JSON, every option resolved. {@code index} is its
 * position in the caller's input; {@code dueAt} is 0 for a task that may run now, else epoch millis.
 */
public record NewTask(int index, String taskType, String payload, String dedupKey, String groupId,
        String concurrencyKey, int priority, int maxRetries, String retryPolicy, Long timeoutMs, long dueAt,
        String name) {
}
