package io.quarkiverse.taskqueue.runtime;

import jakarta.inject.Singleton;

/**
 * Where the queue reads the time: due times, retry backoff, leases, timestamps. A bean, so that tests can move
 * time forward instead of sleeping (a subclass as a CDI alternative). Real waits (the shutdown's grace period, a
 * task's timeout) are durations and do not read it.
 */
@Singleton
public class QueueClock {

    /** Epoch milliseconds. */
    public long millis() {
        return System.currentTimeMillis();
    }
}
