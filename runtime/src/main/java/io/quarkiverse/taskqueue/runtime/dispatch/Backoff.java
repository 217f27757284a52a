package io.quarkiverse.taskqueue.runtime.dispatch;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.quarkiverse.taskqueue.RetryPolicy;

/** Retry policies as stored with a task ({@code initialMs:multiplier:maxMs:jitter}) and the waits they give. */
public final class Backoff {

    private Backoff() {
    }

    public static String encode(RetryPolicy p) {
        if (p == null) {
            return null;
        }
        long max = p.maxInterval() == null ? -1 : p.maxInterval().toMillis();
        return p.initial().toMillis() + ":" + p.multiplier() + ":" + max + ":" + p.jitter();
    }

    public static RetryPolicy decode(String text, RetryPolicy fallback) {
        if (text == null) {
            return fallback;
        }
        String[] parts = text.split(":");
        RetryPolicy p = new RetryPolicy(Duration.ofMillis(Long.parseLong(parts[0])), Double.parseDouble(parts[1]),
                null, Double.parseDouble(parts[3]));
        long max = Long.parseLong(parts[2]);
        return max < 0 ? p : p.withMaxInterval(Duration.ofMillis(max));
    }

    /** Milliseconds to wait before the given retry (1 = the first), jitter applied. */
    public static long delayMillis(RetryPolicy p, int retry) {
        long base = p.delayBefore(retry).toMillis();
        if (p.jitter() == 0 || base == 0) {
            return base;
        }
        double spread = (ThreadLocalRandom.current().nextDouble() * 2 - 1) * p.jitter();
        return Math.max(0, Math.round(base * (1 + spread)));
    }
}
