package io.quarkiverse.taskqueue.runtime.store;

import io.quarkiverse.taskqueue.TaskState;

/** What a cancel does, decided by {@link #of(TaskState)} for every store. */
public enum CancelResult {
    NOT_FOUND,
    ALREADY_FINISHED,
    /** It was waiting and is now CANCELLED. */
    CANCELLED,
    /** It is running: it was asked to stop and becomes CANCELLED when its handler returns. */
    REQUESTED;

    /** The cancel of a task in {@code state} (null: there is no such task). */
    public static CancelResult of(TaskState state) {
        if (state == null) {
            return NOT_FOUND;
        }
        if (state.isFinal()) {
            return ALREADY_FINISHED;
        }
        return state == TaskState.RUNNING ? REQUESTED : CANCELLED;
    }
}
