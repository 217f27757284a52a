package io.quarkiverse.taskqueue.runtime.observability;

import io.quarkiverse.taskqueue.TaskState;

/**
 * What the queue reports to a metrics registry. Without Micrometer the bean is {@link #NONE}, whose calls do
 * nothing, and callers skip the work of preparing them ({@link #enabled()}).
 */
public interface TaskMetrics {

    TaskMetrics NONE = new TaskMetrics() {
        @Override
        public boolean enabled() {
            return false;
        }
    };

    default boolean enabled() {
        return true;
    }

    /** {@code count} tasks of {@code type} committed. */
    default void submitted(String type, long count) {
    }

    /** A submission of {@code size} tasks (a batch, stream or map) ended after {@code nanos}. */
    default void batch(int size, long nanos) {
    }

    /** {@code count} attempts of {@code type} started. */
    default void started(String type, long count) {
    }

    /** An attempt's handler ended after {@code nanos} with {@code outcome} (SUCCEEDED, RETRYING, FAILED, CANCELLED). */
    default void attempt(String type, TaskState outcome, long nanos) {
    }

    /**
     * {@code count} tasks of {@code type} had their final state or retry committed ({@code state} SUCCEEDED,
     * RETRYING, FAILED, CANCELLED or SUPERSEDED).
     */
    default void ended(String type, TaskState state, long count) {
    }
}
