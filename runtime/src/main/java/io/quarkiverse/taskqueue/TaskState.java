package io.quarkiverse.taskqueue;

/** The life cycle of a task. The first four are active (they take part in dedup), the last four are final. */
public enum TaskState {
    SCHEDULED,
    QUEUED,
    RUNNING,
    RETRYING,
    SUCCEEDED,
    FAILED,
    CANCELLED,
    SUPERSEDED;

    public boolean isFinal() {
        return switch (this) {
            case SUCCEEDED, FAILED, CANCELLED, SUPERSEDED -> true;
            case SCHEDULED, QUEUED, RUNNING, RETRYING -> false;
        };
    }

    public boolean isActive() {
        return !isFinal();
    }
}
