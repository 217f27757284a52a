package io.quarkiverse.taskqueue.runtime.store;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * Queued writes of one kind (single submits, completions) for a store whose writes are asynchronous: at most one
 * write runs at a time, and it takes everything queued up to its limit. Whatever way a write ends (item, failure,
 * cancellation), the next one starts if work waits; after a failure it starts only after a pause, so a database
 * that is down is not hammered. The queue is never left owned by a write that has ended.
 */
public final class SerialWrites<T> {

    private static final Logger LOG = Logger.getLogger(SerialWrites.class);

    private final PendingWrites<T> pending = new PendingWrites<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final String what;
    private final int max;
    private final Function<List<T>, Uni<?>> write;
    private final Consumer<Runnable> later;

    /**
     * @param what what is written, for the log ("task completions")
     * @param max the most items one write takes
     * @param write writes a batch; its failure puts the batch back for the next write
     * @param later runs the given action after a pause (used after a failed write)
     */
    public SerialWrites(String what, int max, Function<List<T>, Uni<?>> write, Consumer<Runnable> later) {
        this.what = what;
        this.max = max;
        this.write = write;
        this.later = later;
    }

    /** Queues {@code item} and starts a write unless one runs (that one then starts the next). */
    public void offer(T item) {
        pending.offer(item);
        writeNext();
    }

    /** Starts a write of what is queued, unless one runs. */
    public void writeNext() {
        List<T> batch = acquire();
        if (batch == null) {
            return;
        }
        if (batch.isEmpty()) {
            release(true);
            return;
        }
        Uni<?> w;
        try {
            w = write.apply(batch);
        } catch (RuntimeException e) {
            failed(batch, e);
            return;
        }
        w.subscribe().with(ok -> release(true), e -> failed(batch, e));
    }

    /**
     * Takes the queued items for a write the caller runs itself (e.g. inside its own transaction), or null when a
     * write runs. The caller must end it with {@link #written()} or {@link #failed(List, Throwable)}.
     */
    public List<T> acquire() {
        return writing.compareAndSet(false, true) ? pending.take(max) : null;
    }

    /** Ends a successful write. */
    public void written() {
        release(true);
    }

    /** Ends a failed write: its batch goes back to the queue and is written after a pause. */
    public void failed(List<T> batch, Throwable failure) {
        if (!batch.isEmpty()) {
            pending.retry(batch);
            LOG.warnf("Could not write %d %s yet (%s); they stay queued and are written when the database answers "
                    + "again: check that it is reachable", batch.size(), what,
                    failure.getMessage() != null ? failure.getMessage() : failure.getClass().getName());
        }
        release(false);
    }

    private void release(boolean ok) {
        writing.set(false);
        // an offer made while this write ran did not start one: it is written now
        if (!pending.isEmpty()) {
            if (ok) {
                writeNext();
            } else {
                later.accept(this::writeNext);
            }
        }
    }
}
