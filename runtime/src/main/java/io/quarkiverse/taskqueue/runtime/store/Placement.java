package io.quarkiverse.taskqueue.runtime.store;

import io.quarkiverse.taskqueue.TaskId;

/** What the store did with one task of a chunk. */
public record Placement(int index, Kind kind, TaskId id, TaskId other, String message) {

    public enum Kind {
        /** Written as {@code id}. */
        INSERTED,
        /** Written as {@code id}, replacing the active task {@code other}. */
        SUPERSEDED,
        /** Not written: the active task {@code other} has the same dedup key. */
        SKIPPED,
        /** Not written: {@code message} says why. */
        FAILED
    }
}
