package io.quarkiverse.taskqueue.runtime.json;

import java.util.Arrays;

/**
 * The input line (and position among the input's items) of each task handed to a batch, by task index, so that
 * a {@code BatchFailure} (which names the index) can be reported by line. {@link #release} forgets the tasks of
 * committed chunks, which keeps the memory of a streamed batch flat. Thread-safe.
 */
public final class LineIndex {

    private int[] lines = new int[1024];
    private int[] positions = new int[1024];
    private long base;
    private int size;

    /** Records the line of the next task index. */
    public void add(long line) {
        add(line, -1);
    }

    /** Records the line and the input position (0-based, -1 for none) of the next task index. */
    public synchronized void add(long line, long position) {
        if (size == lines.length) {
            lines = Arrays.copyOf(lines, size * 2);
            positions = Arrays.copyOf(positions, size * 2);
        }
        lines[size] = (int) Math.min(Integer.MAX_VALUE, line);
        positions[size++] = (int) Math.min(Integer.MAX_VALUE, position);
    }

    /** The line of a task index, or -1 when it was released or never added. */
    public synchronized long lineOf(long index) {
        long offset = index - base;
        return offset < 0 || offset >= size ? -1 : lines[(int) offset];
    }

    /** The input position of a task index, or -1 when it was released, never added or added without one. */
    public synchronized long positionOf(long index) {
        long offset = index - base;
        return offset < 0 || offset >= size ? -1 : positions[(int) offset];
    }

    /** How many task indexes were added, released ones included. */
    public synchronized long added() {
        return base + size;
    }

    /** Forgets every index below {@code index}. */
    public synchronized void release(long index) {
        int drop = (int) Math.min(size, Math.max(0, index - base));
        if (drop == 0) {
            return;
        }
        System.arraycopy(lines, drop, lines, 0, size - drop);
        System.arraycopy(positions, drop, positions, 0, size - drop);
        size -= drop;
        base += drop;
        if (lines.length > 4096 && size < lines.length / 4) {
            lines = Arrays.copyOf(lines, Math.max(1024, lines.length / 2));
            positions = Arrays.copyOf(positions, lines.length);
        }
    }
}
