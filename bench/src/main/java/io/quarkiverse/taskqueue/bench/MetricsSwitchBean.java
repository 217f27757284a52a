package io.quarkiverse.taskqueue.bench;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.runtime.observability.MicrometerTaskMetrics;
import io.quarkiverse.taskqueue.runtime.observability.TaskMetrics;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * The queue's {@link TaskMetrics} in the metrics build: the extension's {@link MicrometerTaskMetrics} behind a
 * switch. Off, every call returns after one volatile read and {@link #enabled()} is false, as with the bean an
 * application without Micrometer gets; on, every call goes to the Micrometer bean. Only the per-task calls are
 * switched: the Micrometer bean's gauge refresh (one store query every 5 s) and Micrometer's own binders run in
 * both halves (compare with the "drain" scenario's child, built without Micrometer, for those).
 */
@Alternative
@Priority(1000)
@Singleton
@IfBuildProperty(name = "bench.metrics", stringValue = "on")
public class MetricsSwitchBean implements TaskMetrics, MetricsSwitch {

    private final MicrometerTaskMetrics delegate;
    private final MeterRegistry registry;
    private volatile boolean on;

    public MetricsSwitchBean(MicrometerTaskMetrics delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
    }

    @Override
    public void set(boolean on) {
        this.on = on;
    }

    @Override
    public long count(String name, String type) {
        Counter c = registry.find(name).tag("type", type).counter();
        return c == null ? 0 : Math.round(c.count());
    }

    @Override
    public String describe() {
        return registry.getClass().getSimpleName() + " with " + registry.getMeters().size() + " meters";
    }

    @Override
    public boolean enabled() {
        return on;
    }

    @Override
    public void submitted(String type, long count) {
        if (on) {
            delegate.submitted(type, count);
        }
    }

    @Override
    public void batch(int size, long nanos) {
        if (on) {
            delegate.batch(size, nanos);
        }
    }

    @Override
    public void started(String type, long count) {
        if (on) {
            delegate.started(type, count);
        }
    }

    @Override
    public void attempt(String type, TaskState outcome, long nanos) {
        if (on) {
            delegate.attempt(type, outcome, nanos);
        }
    }

    @Override
    public void ended(String type, TaskState state, long count) {
        if (on) {
            delegate.ended(type, state, count);
        }
    }
}
