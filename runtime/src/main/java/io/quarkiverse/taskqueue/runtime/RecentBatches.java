package io.quarkiverse.taskqueue.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * The outcomes of the last batches this node wrote, for the Dev UI: a fixed ring, one entry per batch (per chunk
 * of a stream), so that keeping it costs the hot path one small object and one short lock per batch.
 */
public final class RecentBatches {

    /** One batch: how many tasks it had, what became of them, and how long the writing took. */
    public record Batch(String batchId, long atMillis, int count, int submitted, int deduplicated, int superseded,
            int failed, long millis) {
    }

    private final Batch[] ring;
    private int next;
    private int size;

    public RecentBatches(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.ring = new Batch[capacity];
    }

    public synchronized void record(Batch batch) {
        ring[next] = batch;
        next = (next + 1) % ring.length;
        if (size < ring.length) {
            size++;
        }
    }

    public synchronized List<Batch> newestFirst() {
        List<Batch> batches = new ArrayList<>(size);
        for (int i = 1; i <= size; i++) {
            batches.add(ring[(next - i + ring.length) % ring.length]);
        }
        return batches;
    }
}
