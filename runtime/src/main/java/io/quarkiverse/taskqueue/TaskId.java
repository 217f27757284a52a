package io.quarkiverse.taskqueue;

import java.util.Objects;

/** The identity of a task. {@link #toString()} is its text form, read back by {@link #parse(String)}. */
public record TaskId(long value) implements Comparable<TaskId> {

    public static TaskId parse(String text) {
        Objects.requireNonNull(text, "text");
        try {
            return new TaskId(Long.parseLong(text.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Not a task id: '" + text + "' (a task id is a number)");
        }
    }

    @Override
    public int compareTo(TaskId other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
