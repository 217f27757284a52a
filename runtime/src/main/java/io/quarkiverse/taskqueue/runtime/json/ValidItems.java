package io.quarkiverse.taskqueue.runtime.json;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;

import io.quarkiverse.taskqueue.TaskSubmission;

/**
 * The tasks of an item stream that can be submitted, read as they are asked for. A bad item, or one the check
 * rejects, goes to {@code rejected} with its position, line and reason; the line and position of each task handed
 * out is recorded. Nothing is kept of an item once it is handed out or rejected.
 */
public final class ValidItems implements Iterator<TaskSubmission> {

    /** Told about each item that is not handed out. */
    @FunctionalInterface
    public interface Rejected {
        /** @param position the item's 0-based position in the input (its array index in a JSON array) */
        void at(long position, long line, String reason);
    }

    private final Iterator<TaskItemReader.Item> items;
    private final Function<TaskSubmission, String> check;
    private final LineIndex lines;
    private final Rejected rejected;
    private TaskSubmission next;
    private long position;

    /** @param check the reason a well-formed task must not be submitted, or null to accept it */
    public ValidItems(Iterator<TaskItemReader.Item> items, Function<TaskSubmission, String> check, LineIndex lines,
            Rejected rejected) {
        this.items = items;
        this.check = check;
        this.lines = lines;
        this.rejected = rejected;
    }

    @Override
    public boolean hasNext() {
        while (next == null && items.hasNext()) {
            TaskItemReader.Item item = items.next();
            String reason = item.ok() ? check.apply(item.task()) : item.error();
            if (reason != null) {
                rejected.at(position, item.line(), reason);
            } else {
                lines.add(item.line(), position);
                next = item.task();
            }
            position++;
        }
        return next != null;
    }

    @Override
    public TaskSubmission next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        TaskSubmission task = next;
        next = null;
        return task;
    }
}
