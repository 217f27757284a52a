package io.quarkiverse.taskqueue.runtime.dispatch;

/**
 * What becomes of a running task that its node gave up: one whose lease expired (the node stopped or hung), or one
 * that a graceful shutdown released. Decided here for every store; a store only finds the tasks and writes the
 * outcome.
 */
public final class LeaseRescue {

    /** The error a task failed by lease recovery keeps. */
    public static final String LEASE_EXPIRED = "the node running it stopped (lease expired) and no retries are left";

    public enum Outcome {
        /** Queued again. */
        RETRY,
        /** Ended CANCELLED: its cancel was asked for while it ran, so it does not run again. */
        CANCEL,
        /** Ended FAILED with {@link #LEASE_EXPIRED}: the lost attempt was its last. */
        FAIL
    }

    private LeaseRescue() {
    }

    /** A task whose lease expired after {@code attempts} attempts (the lost one included). */
    public static Outcome expired(int attempts, int maxRetries, boolean cancelRequested) {
        if (cancelRequested) {
            return Outcome.CANCEL;
        }
        return attempts <= maxRetries ? Outcome.RETRY : Outcome.FAIL;
    }

    /** A task released by a graceful shutdown: its attempt does not count, so it always runs again unless cancelled. */
    public static Outcome released(boolean cancelRequested) {
        return cancelRequested ? Outcome.CANCEL : Outcome.RETRY;
    }
}
