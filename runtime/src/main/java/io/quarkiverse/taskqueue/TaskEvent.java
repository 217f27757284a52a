package io.quarkiverse.taskqueue;

import java.util.List;

/** What happens to tasks, as seen by {@link TaskQueue#events()}. */
public sealed interface TaskEvent {

    /** A task written by {@code submit()}. Batches emit {@link BatchSubmitted} instead. */
    record TaskSubmitted(TaskId taskId, String taskType) implements TaskEvent {
    }

    /** One committed chunk of a batch. */
    record BatchSubmitted(String batchId, int count, List<TaskId> taskIds) implements TaskEvent {
    }

    record TaskStarted(TaskId taskId, String taskType, int attempt) implements TaskEvent {
    }

    record TaskSucceeded(TaskId taskId, String taskType, int attempts) implements TaskEvent {
    }

    record TaskFailed(TaskId taskId, String taskType, int attempts, String error, boolean willRetry)
            implements TaskEvent {
    }

    record TaskCancelled(TaskId taskId, String taskType) implements TaskEvent {
    }

    record GroupCompleted(GroupSummary summary) implements TaskEvent {
    }
}
