package io.quarkiverse.taskqueue;

/** What a batch does with a task whose dedup key matches an active (not yet final) task. */
public enum DuplicateStrategy {
    /** Drop the new task and report its key in {@link BatchOutcome#deduplicated()}. */
    SKIP,
    /** Mark the existing task SUPERSEDED (a running one is asked to cancel) and insert the new one. */
    SUPERSEDE,
    /** Report the new task as a {@link BatchFailure}. */
    FAIL
}
