package io.quarkiverse.taskqueue.runtime.observability;

import java.util.ArrayList;
import java.util.EnumMap;
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
    private final Map<String, TypeMeters> byType = new ConcurrentHashMap<>();
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
        meters(type).submitted.increment(count);
    }

    @Override
    public void batch(int size, long nanos) {
        batchSize.record(size);
        batchDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void started(String type, long count) {
        meters(type).started.increment(count);
    }

    @Override
    public void attempt(String type, TaskState outcome, long nanos) {
        Timer t = meters(type).durations.get(outcome);
        if (t != null) {
            t.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void ended(String type, TaskState state, long count) {
        Counter c = meters(type).ended.get(state);
        if (c != null) {
            c.increment(count);
        }
    }

    private TypeMeters meters(String type) {
        TypeMeters m = byType.get(type);
        return m != null ? m : byType.computeIfAbsent(type, t -> new TypeMeters(registry, t));
    }

    /** The meters of one task type, created at its first use: the hot path only looks them up. */
    private static final class TypeMeters {
        final Counter submitted;
        final Counter started;
        final Map<TaskState, Counter> ended = new EnumMap<>(TaskState.class);
        final Map<TaskState, Timer> durations = new EnumMap<>(TaskState.class);

        TypeMeters(MeterRegistry registry, String type) {
            submitted = counter(registry, "taskqueue.tasks.submitted", type, "Tasks written to the store");
            started = counter(registry, "taskqueue.tasks.started", type, "Attempts started");
            ended.put(TaskState.SUCCEEDED, counter(registry, "taskqueue.tasks.succeeded", type, "Tasks that succeeded"));
            ended.put(TaskState.RETRYING, counter(registry, "taskqueue.tasks.retried", type,
                    "Failed attempts that will be retried"));
            ended.put(TaskState.FAILED, counter(registry, "taskqueue.tasks.failed", type,
                    "Tasks that failed with no retry left"));
            Counter cancelled = counter(registry, "taskqueue.tasks.cancelled", type,
                    "Tasks cancelled, or superseded by a newer task with their dedup key");
            ended.put(TaskState.CANCELLED, cancelled);
            ended.put(TaskState.SUPERSEDED, cancelled);
            for (TaskState outcome : new TaskState[] { TaskState.SUCCEEDED, TaskState.RETRYING, TaskState.FAILED,
                    TaskState.CANCELLED }) {
                durations.put(outcome, Timer.builder("taskqueue.task.duration")
                        .description("Time a handler took, by task type and the attempt's outcome")
                        .tags("type", type, "outcome", outcome.name()).register(registry));
            }
        }

        private static Counter counter(MeterRegistry registry, String name, String type, String description) {
            return Counter.builder(name).description(description).tag("type", type).register(registry);
        }
    }
}
