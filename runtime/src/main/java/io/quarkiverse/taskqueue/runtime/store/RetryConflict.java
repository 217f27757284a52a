package io.quarkiverse.taskqueue.runtime.store;

import io.quarkiverse.taskqueue.TaskId;

/** Why a finished task cannot be queued again: another active task holds its dedup key. Said alike by every store. */
public final class RetryConflict {

    private RetryConflict() {
    }

    public static IllegalStateException of(TaskId task, String dedupKey, TaskId holder) {
        return new IllegalStateException("Task " + task + " cannot be retried: task " + holder
                + " with the same dedup key '" + dedupKey + "' is active; cancel it or wait until it is finished");
    }
}
