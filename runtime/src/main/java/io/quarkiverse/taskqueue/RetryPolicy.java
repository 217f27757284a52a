package io.quarkiverse.taskqueue;

import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait before a failed task runs again: {@code initial * multiplier^(retry - 1)}, capped by
 * {@code maxInterval}, then spread by {@code jitter} (0.1 = up to 10% either way).
 */
public record RetryPolicy(Duration initial, double multiplier, Duration maxInterval, double jitter) {

    public RetryPolicy {
        Objects.requireNonNull(initial, "initial");
        if (initial.isNegative()) {
            throw new IllegalArgumentException("initial must not be negative: " + initial);
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("multiplier must be >= 1: " + multiplier);
        }
        if (maxInterval != null && maxInterval.isNegative()) {
            throw new IllegalArgumentException("maxInterval must not be negative: " + maxInterval);
        }
        if (jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("jitter must be between 0 and 1: " + jitter);
        }
    }

    public static RetryPolicy fixed(Duration interval) {
        return new RetryPolicy(interval, 1.0, null, 0);
    }

    public static RetryPolicy exponential(Duration initial, double multiplier) {
        return new RetryPolicy(initial, multiplier, null, 0);
    }

    public RetryPolicy withMaxInterval(Duration max) {
        return new RetryPolicy(initial, multiplier, Objects.requireNonNull(max, "max"), jitter);
    }

    public RetryPolicy withJitter(double jitter) {
        return new RetryPolicy(initial, multiplier, maxInterval, jitter);
    }

    /** The delay before the given retry (1 = the first retry), without jitter applied. */
    public Duration delayBefore(int retry) {
        double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, retry - 1));
        if (maxInterval != null) {
            millis = Math.min(millis, maxInterval.toMillis());
        }
        return Duration.ofMillis((long) Math.min(millis, Long.MAX_VALUE / 2));
    }
}
