package io.quarkiverse.taskqueue.runtime.json;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Of however many entries are added, keeps the first {@code cap} in a given order (the lowest line or index) and
 * counts them all: what a reply lists of a million failures. Thread-safe.
 */
public final class CappedList<T> {

    /** How many failures the REST API and the CLI list; the others are only counted. */
    public static final int LISTED_FAILURES = 1000;

    /** The entries kept, in order, and how many were added. */
    public record Listing<T>(List<T> entries, long count) {
    }

    private final int cap;
    private final Comparator<? super T> order;
    private final PriorityQueue<T> kept; // the last kept entry first, the one to drop for a lower one
    private long count;

    public CappedList(int cap, Comparator<? super T> order) {
        this.cap = cap;
        this.order = order;
        this.kept = new PriorityQueue<>(order.reversed());
    }

    public synchronized void add(T entry) {
        count++;
        if (kept.size() < cap) {
            kept.add(entry);
        } else if (cap > 0 && order.compare(entry, kept.peek()) < 0) {
            kept.poll();
            kept.add(entry);
        }
    }

    /** How many entries were added. */
    public synchronized long count() {
        return count;
    }

    /** The entries kept, in order. */
    public synchronized List<T> listed() {
        List<T> entries = new ArrayList<>(kept);
        entries.sort(order);
        return entries;
    }

    /** The entries kept and the count, then starts empty again. */
    public synchronized Listing<T> drain() {
        Listing<T> listing = new Listing<>(listed(), count);
        kept.clear();
        count = 0;
        return listing;
    }
}
