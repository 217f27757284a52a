package io.quarkiverse.taskqueue;

/**
 * One task to submit: its type, its payload and optional settings. Immutable; each fluent method returns a copy.
 * {@code priority} is {@code null} when it is left to the options, the batch or configuration.
 */
public record TaskSubmission(String taskType, Object payload, String dedupKey, String groupId, String concurrencyKey,
        Integer priority, TaskOptions options) {

    public static TaskSubmission of(String taskType, Object payload) {
        return new TaskSubmission(taskType, payload, null, null, null, null, null);
    }

    public TaskSubmission dedupKey(String dedupKey) {
        return new TaskSubmission(taskType, payload, dedupKey, groupId, concurrencyKey, priority, options);
    }

    public TaskSubmission groupId(String groupId) {
        return new TaskSubmission(taskType, payload, dedupKey, groupId, concurrencyKey, priority, options);
    }

    public TaskSubmission concurrencyKey(String concurrencyKey) {
        return new TaskSubmission(taskType, payload, dedupKey, groupId, concurrencyKey, priority, options);
    }

    public TaskSubmission priority(int priority) {
        return new TaskSubmission(taskType, payload, dedupKey, groupId, concurrencyKey, priority, options);
    }

    public TaskSubmission options(TaskOptions options) {
        return new TaskSubmission(taskType, payload, dedupKey, groupId, concurrencyKey, priority, options);
    }
}
