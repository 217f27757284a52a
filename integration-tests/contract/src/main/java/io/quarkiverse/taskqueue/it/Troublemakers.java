package io.quarkiverse.taskqueue.it;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;

import io.quarkiverse.taskqueue.TaskContext;
import io.quarkiverse.taskqueue.TaskHandler;
import io.smallrye.mutiny.Uni;

/** Handlers that misbehave in the ways real ones do, and one that counts per concurrency key (a @Singleton: tests read its fields). */
@Singleton
public class Troublemakers {

    public final Map<String, AtomicInteger> runningByKey = new ConcurrentHashMap<>();
    public final Map<String, AtomicInteger> maxRunningByKey = new ConcurrentHashMap<>();
    public final Map<String, AtomicInteger> doneByKey = new ConcurrentHashMap<>();
    public final Map<String, String> seenDeadlines = new ConcurrentHashMap<>();

    /** Fails its first {@code failures} attempts, then returns the attempt that succeeded. */
    @TaskHandler("flaky")
    int flaky(int failures, TaskContext ctx) {
        if (ctx.attempt() <= failures) {
            throw new IllegalStateException("attempt " + ctx.attempt() + " failed");
        }
        return ctx.attempt();
    }

    /** Sleeps, checking for cancellation; returns how long it slept. */
    @TaskHandler("sleep")
    long sleep(long millis, TaskContext ctx) throws InterruptedException {
        seenDeadlines.put(ctx.taskId().toString(), String.valueOf(ctx.deadline()));
        long start = System.currentTimeMillis();
        while (System.currentTimeMillis() - start < millis) {
            if (ctx.isCancellationRequested()) {
                return -1;
            }
            Thread.sleep(5);
        }
        return millis;
    }

    /** Sleeps, ignoring interrupts and cancellation: a handler that cannot be stopped. */
    @TaskHandler("stubborn")
    void stubborn(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            Thread.interrupted();
            java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
    }

    /** Never completes. */
    @TaskHandler("never")
    Uni<String> never(String label) {
        return Uni.createFrom().nothing();
    }

    @TaskHandler("null_uni")
    Uni<String> nullUni(String label) {
        return null;
    }

    @TaskHandler("throw_error")
    void throwError(String message) {
        throw new AssertionError(message);
    }

    @TaskHandler("keyed")
    void keyed(String key) throws InterruptedException {
        int now = runningByKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        maxRunningByKey.computeIfAbsent(key, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        try {
            Thread.sleep(1);
        } finally {
            runningByKey.get(key).decrementAndGet();
            doneByKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
    }
}
