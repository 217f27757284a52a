package io.quarkiverse.taskqueue.runtime.store;

/** What a cancel did. */
public enum CancelResult {
    NOT_FOUND,
    ALREADY_FINISHED,
    /** It was waiting and is now CANCELLED. */
    CANCELLED,
    /** It is running: it was asked to stop and becomes CANCELLED when its handler returns. */
    REQUESTED
}
