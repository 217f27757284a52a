package io.quarkiverse.taskqueue.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Offers that arrive before a write join it; the first one after it asks for the next. */
class PendingWritesTest {

    @Test
    void onlyTheFirstOfferBeforeAWriteSchedulesIt() {
        PendingWrites<String> pending = new PendingWrites<>();

        assertThat(pending.offer("a")).isTrue();
        assertThat(pending.offer("b")).isFalse();
        assertThat(pending.take(10)).containsExactly("a", "b");
        assertThat(pending.offer("c")).isTrue();
    }

    /**
     * As the SQLite store uses it: offers from several threads, each offer that returns true schedules a write on
     * one writer thread, and a write takes until a take comes back empty; another job on that thread (a claim)
     * also takes, unscheduled. After each burst of offers every item is written without waiting for a later offer:
     * an item left behind by a take that raced with its offer would show as a burst that never completes.
     */
    @Test
    void everyOfferedItemIsWrittenWithoutWaitingForTheNextOffer() throws Exception {
        PendingWrites<Integer> pending = new PendingWrites<>();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        AtomicInteger written = new AtomicInteger();
        Runnable write = () -> {
            List<Integer> batch;
            while (!(batch = pending.take(7)).isEmpty()) {
                written.addAndGet(batch.size());
            }
        };
        int threads = 3;
        int bursts = 5_000;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads + 1);
        java.util.concurrent.CyclicBarrier end = new java.util.concurrent.CyclicBarrier(threads + 1);
        Thread[] offering = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            offering[t] = new Thread(() -> {
                try {
                    for (int b = 0; b < bursts; b++) {
                        start.await();
                        for (int i = 0; i < 3; i++) {
                            if (pending.offer(i)) {
                                writer.execute(write);
                            }
                            if (i == 1) {
                                writer.execute(() -> written.addAndGet(pending.take(Integer.MAX_VALUE).size()));
                            }
                        }
                        end.await();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            offering[t].setDaemon(true);
            offering[t].start();
        }
        try {
            for (int b = 0; b < bursts; b++) {
                start.await();
                end.await();
                int expected = (b + 1) * threads * 3;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (written.get() < expected && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(written.get()).as("items written after burst %d", b).isEqualTo(expected);
            }
        } finally {
            writer.shutdownNow();
        }
        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void aWriteTakesAtMostItsLimitAndAFailedBatchIsTakenAgain() {
        PendingWrites<Integer> pending = new PendingWrites<>();
        for (int i = 0; i < 5; i++) {
            pending.offer(i);
        }

        List<Integer> first = pending.take(3);
        assertThat(first).containsExactly(0, 1, 2);
        pending.retry(first);

        assertThat(pending.take(10)).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat(pending.isEmpty()).isTrue();
    }
}
