package io.quarkiverse.taskqueue.runtime.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes offered from any thread and committed together by a store's writer: single submits that arrive together
 * share a transaction, and so do task completions. The first offer after a write asks for the next one; offers
 * made before it runs join it. Store-independent: a store decides only how to write a batch.
 */
public final class PendingWrites<T> {

    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /** Adds {@code item}; true when the caller must schedule a write, none being scheduled yet. */
    public boolean offer(T item) {
        queue.add(item);
        return scheduled.compareAndSet(false, true);
    }

    /**
     * Takes up to {@code max} items for the write that runs now (on the writer thread). Offers made from now on
     * schedule another write.
     */
    public List<T> take(int max) {
        scheduled.set(false);
        List<T> batch = new ArrayList<>();
        T next;
        while (batch.size() < max && (next = queue.poll()) != null) {
            batch.add(next);
        }
        return batch;
    }

    /** Puts back a batch whose write failed: the next write takes it again. */
    public void retry(List<T> batch) {
        queue.addAll(batch);
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }
}
