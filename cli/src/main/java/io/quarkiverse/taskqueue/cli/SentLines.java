package io.quarkiverse.taskqueue.cli;

import java.util.Arrays;

/**
 * The input line of each line that {@code submit-many --url} sends, which the application's failures name. Before
 * an item the sender writes blank lines (the application skips them but counts them) up to the item's own input
 * line, so the application numbers the lines as the input does and nothing is kept for them: JSON Lines, and JSON
 * arrays of one item a line. Only an item that shares its input line with the item before (in a JSON array) goes
 * on a later line than its own; those are kept as runs of consecutive sent lines on one input line (a one-line
 * array is one run). So the memory grows at most with the input lines that hold several items, never with the
 * items. Thread-safe.
 */
final class SentLines {

    private long sent;
    /** For each run: the first sent line, the input line and the number of sent lines. */
    private long[] runs = new long[3 * 16];
    private int size;

    /** Counts the item of input line {@code line} as sent; returns the blank lines to send before it. */
    synchronized long next(long line) {
        long blanks = Math.max(0, line - sent - 1);
        sent += blanks + 1;
        if (sent != line) {
            int last = 3 * (size - 1);
            if (size > 0 && runs[last + 1] == line && runs[last] + runs[last + 2] == sent) {
                runs[last + 2]++;
            } else {
                if (3 * size == runs.length) {
                    runs = Arrays.copyOf(runs, runs.length * 2);
                }
                runs[3 * size] = sent;
                runs[3 * size + 1] = line;
                runs[3 * size + 2] = 1;
                size++;
            }
        }
        return blanks;
    }

    /** The input line of the item sent on line {@code sentLine}. */
    synchronized long inputLine(long sentLine) {
        int low = 0;
        int high = size - 1;
        int run = -1; // the last run that starts at or before sentLine
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (runs[3 * mid] <= sentLine) {
                run = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return run >= 0 && sentLine < runs[3 * run] + runs[3 * run + 2] ? runs[3 * run + 1] : sentLine;
    }
}
