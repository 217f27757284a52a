package io.quarkiverse.taskqueue.runtime.json;

import java.util.Arrays;

/**
 * The input line of each task handed to a batch, by task index, so that a {@code BatchFailure} (which names the
 * index) can be reported by line. {@link #release} forgets the lines of committed chunks, which keeps the memory
 * of a streamed batch flat. Thread-safe.
 */
public final class LineIndex {

    private int[] lines = new int[1024];
    private long base;
    private int size;

    /** Records the line of the next task index. */
    public synchronized void add(long line) {
        if (size == lines.length) {
            lines = Arrays.copyOf(lines, size * 2);
        }
        lines[size++] = (int) Math.min(Integer.MAX_VALUE, line);
    }

    /** The line of a task index, or -1 when it was released or never added. */
    public synchronized long lineOf(long index) {
        long offset = index - base;
        return offset < 0 || offset >= size ? -1 : lines[(int) offset];
    }

    /** Forgets the lines of every index below {@code index}. */
    public synchronized void release(long index) {
        int drop = (int) Math.min(size, Math.max(0, index - base));
        if (drop == 0) {
            return;
        }
        System.arraycopy(lines, drop, lines, 0, size - drop);
        size -= drop;
        base += drop;
        if (lines.length > 4096 && size < lines.length / 4) {
            lines = Arrays.copyOf(lines, Math.max(1024, lines.length / 2));
        }
    }
}
