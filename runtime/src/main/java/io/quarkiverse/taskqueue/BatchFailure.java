package io.quarkiverse.taskqueue;

/** A task of a batch that was not written: its input index (0-based), its type and why. */
public record BatchFailure(int index, String taskType, String message) {
}
