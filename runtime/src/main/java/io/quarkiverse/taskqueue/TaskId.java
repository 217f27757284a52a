package io.quarkiverse.taskqueue;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The identity of a task. {@link #toString()} is its text form, read back by {@link #parse(String)}. */
public record TaskId(long value) implements Comparable<TaskId> {

    @JsonCreator
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

    /** Also its JSON form, as in the REST API: a string, so that JavaScript clients keep every digit. */
    @JsonValue
    @Override
    public String toString() {
        return Long.toString(value);
    }
}
