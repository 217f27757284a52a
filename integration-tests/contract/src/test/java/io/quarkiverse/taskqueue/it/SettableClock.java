package io.quarkiverse.taskqueue.it;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Singleton;

import io.quarkiverse.taskqueue.runtime.QueueClock;
import io.quarkus.test.Mock;

/** The queue's clock in the tests: the real time, plus however far a test moved it forward. */
@Mock
@Singleton
public class SettableClock extends QueueClock {

    private final AtomicLong offset = new AtomicLong();

    @Override
    public long millis() {
        return System.currentTimeMillis() + offset.get();
    }

    public void advance(Duration by) {
        offset.addAndGet(by.toMillis());
    }

    public void reset() {
        offset.set(0);
    }
}
