package io.quarkiverse.taskqueue.runtime.store;

import io.quarkiverse.taskqueue.TaskState;

/**
 * The numbers task states are stored as, in every schema. They are part of the stored format: never renumber one,
 * give a new state a new code. The active states have the codes below {@link #ACTIVE_BELOW}, so that "active" is
 * one range test, which the partial dedup index and the queries share.
 */
public final class StateCodes {

    public static final int SCHEDULED = 0;
    public static final int QUEUED = 1;
    public static final int RUNNING = 2;
    public static final int RETRYING = 3;
    public static final int SUCCEEDED = 4;
    public static final int FAILED = 5;
    public static final int CANCELLED = 6;
    public static final int SUPERSEDED = 7;

    /** Every active state's code is below this, every final state's code is not. */
    public static final int ACTIVE_BELOW = 4;

    private StateCodes() {
    }

    /** The SQL condition "the task in {@code column} is active", written as the dedup index writes it. */
    public static String active(String column) {
        return column + " < " + ACTIVE_BELOW;
    }

    public static int code(TaskState state) {
        return switch (state) {
            case SCHEDULED -> SCHEDULED;
            case QUEUED -> QUEUED;
            case RUNNING -> RUNNING;
            case RETRYING -> RETRYING;
            case SUCCEEDED -> SUCCEEDED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
            case SUPERSEDED -> SUPERSEDED;
        };
    }

    public static TaskState state(int code) {
        return switch (code) {
            case SCHEDULED -> TaskState.SCHEDULED;
            case QUEUED -> TaskState.QUEUED;
            case RUNNING -> TaskState.RUNNING;
            case RETRYING -> TaskState.RETRYING;
            case SUCCEEDED -> TaskState.SUCCEEDED;
            case FAILED -> TaskState.FAILED;
            case CANCELLED -> TaskState.CANCELLED;
            case SUPERSEDED -> TaskState.SUPERSEDED;
            default -> throw new IllegalStateException("Unknown stored task state " + code
                    + ": the store was written by a newer version of the extension");
        };
    }
}
