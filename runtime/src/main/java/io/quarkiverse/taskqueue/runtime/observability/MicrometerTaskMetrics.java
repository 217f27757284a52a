package io.quarkiverse.taskqueue.runtime.observability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;
import io.quarkiverse.taskqueue.runtime.store.TaskStore.QueueStats;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * The queue's meters, registered only when the application has quarkus-micrometer. Counters and timers are
 * updated where the event happens; the gauges of queue depth and age read counts that the store is asked for
 * every {@value #GAUGE_REFRESH_SECONDS} s, so a scrape never waits for the database.
 */
@Singleton
public class MicrometerTaskMetrics implements TaskMetrics {

    static final long GAUGE_REFRESH_SECONDS = 5;
    private static final Logger LOG = Logger.getLogger(MicrometerTaskMetrics.class);

    private final MeterRegistry registry;
    private final TaskStore store;
    private final Vertx vertx;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Timer batchDuration;
    private final DistributionSummary batchSize;
    private final MultiGauge depth;
    private final AtomicReference<Double> oldestWaitingSeconds = new AtomicReference<>(0.0);
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private long timer = -1;

    public MicrometerTaskMetrics(MeterRegistry registry, TaskStore store, Vertx vertx) {
        this.registry = registry;
        this.store = store;
        this.vertx = vertx;
        this.batchDuration = Timer.builder("taskqueue.batch.duration")
                .description("Time to write a submission (a batch, a stream's chunk, a map or a group)")
                .register(registry);
        this.batchSize = DistributionSummary.builder("taskqueue.batch.size").baseUnit("tasks")
                .description("Tasks in a submission").register(registry);
        this.depth = MultiGauge.builder("taskqueue.queue.depth").baseUnit("tasks")
                .description("Tasks in the store by type and state").register(registry);
        Gauge.builder("taskqueue.queue.oldest.age", oldestWaitingSeconds, AtomicReference::get)
                .baseUnit("seconds").description("How long the oldest task waiting to run has waited")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        refresh();
        timer = vertx.setPeriodic(TimeUnit.SECONDS.toMillis(GAUGE_REFRESH_SECONDS), id -> refresh());
    }

    @PreDestroy
    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void refresh() {
        if (!refreshing.compareAndSet(false, true)) {
            return;
        }
        store.stats().subscribe().with(stats -> {
            refreshing.set(false);
            update(stats);
        }, e -> {
            refreshing.set(false);
            LOG.debugf("Queue depth gauges not refreshed: %s", e.getMessage());
        });
    }

    private void update(QueueStats stats) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        stats.countsByTypeAndState().forEach((type, byState) -> byState.forEach((state, count) -> rows
                .add(MultiGauge.Row.of(Tags.of("type", type, "state", state), count))));
        depth.register(rows, true);
        Long oldest = stats.oldestWaitingMillis();
        oldestWaitingSeconds.set(oldest == null ? 0.0 : oldest / 1000.0);
    }

    @Override
    public void submitted(String type, long count) {
        counter("taskqueue.tasks.submitted", type, "Tasks written to the store").increment(count);
    }

    @Override
    public void batch(int size, long nanos) {
        batchSize.record(size);
        batchDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void started(String type) {
        counter("taskqueue.tasks.started", type, "Attempts started").increment();
    }

    @Override
    public void attempt(String type, TaskState outcome, long nanos) {
        String key = type + '\u0000' + outcome;
        timers.computeIfAbsent(key, k -> Timer.builder("taskqueue.task.duration")
                .description("Time a handler took, by task type and the attempt's outcome")
                .tags("type", type, "outcome", outcome.name()).register(registry))
                .record(Duration.ofNanos(nanos));
    }

    @Override
    public void ended(String type, TaskState state) {
        String name = switch (state) {
            case SUCCEEDED -> "taskqueue.tasks.succeeded";
            case RETRYING -> "taskqueue.tasks.retried";
            case FAILED -> "taskqueue.tasks.failed";
            case CANCELLED, SUPERSEDED -> "taskqueue.tasks.cancelled";
            default -> null;
        };
        if (name != null) {
            counter(name, type, "Tasks that ended " + state.name() + " (retried: failed attempts that will retry)")
                    .increment();
        }
    }

    private Counter counter(String name, String type, String description) {
        String key = name + '\u0000' + type;
        Counter c = counters.get(key);
        if (c == null) {
            c = counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tag("type", type)
                    .register(registry));
        }
        return c;
    }
}
