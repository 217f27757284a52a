package io.quarkiverse.taskqueue.bench;

/**
 * Turns the extension's meters on and off between rounds of the "metrics" scenario, in the build with
 * quarkus-micrometer ({@code -Dbench.metrics=on}, bench/target-metrics); no bean of this type in the default build.
 * Its calls carry no Micrometer types, so that {@link BenchApp} loads in both builds.
 */
public interface MetricsSwitch {

    /** While off, the queue's metrics calls return at once (as with {@code TaskMetrics.NONE}). */
    void set(boolean on);

    /** The value of counter {@code name} with tag {@code type} in the application's MeterRegistry (0 if absent). */
    long count(String name, String type);

    /** The registry's class and number of meters, for the log. */
    String describe();
}
