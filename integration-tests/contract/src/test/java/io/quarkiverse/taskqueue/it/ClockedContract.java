package io.quarkiverse.taskqueue.it;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;

/** A contract that moves the queue's clock: each test may advance it, and real time is back after each. */
public abstract class ClockedContract {

    @Inject
    SettableClock clock;

    @AfterEach
    void realTime() {
        clock.reset();
    }
}
