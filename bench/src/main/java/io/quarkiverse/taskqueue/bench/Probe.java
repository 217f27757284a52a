package io.quarkiverse.taskqueue.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** What the handlers report to the benchmark thread. Costs one atomic increment per task. */
final class Probe {

    private static final AtomicInteger ran = new AtomicInteger();
    private static volatile int target = Integer.MAX_VALUE;
    private static volatile CountDownLatch allRan = new CountDownLatch(0);

    static volatile CountDownLatch gatesStarted = new CountDownLatch(0);
    static volatile CountDownLatch gateOpen = new CountDownLatch(0);

    static volatile long startedAt;
    static volatile CountDownLatch started = new CountDownLatch(0);

    private Probe() {
    }

    /** Expects {@code n} runs of the no-op handler. */
    static CountDownLatch expect(int n) {
        ran.set(0);
        CountDownLatch latch = new CountDownLatch(1);
        allRan = latch;
        target = n;
        return latch;
    }

    static void ran() {
        if (ran.incrementAndGet() == target) {
            allRan.countDown();
        }
    }
}
