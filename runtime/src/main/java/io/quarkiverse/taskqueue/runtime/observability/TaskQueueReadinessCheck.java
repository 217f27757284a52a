package io.quarkiverse.taskqueue.runtime.observability;

import java.time.Duration;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.quarkiverse.taskqueue.runtime.config.TaskQueueConfig;
import io.quarkiverse.taskqueue.runtime.dispatch.TaskDispatcher;
import io.quarkiverse.taskqueue.runtime.dispatch.TaskDispatcher.Liveness;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Ready when the store answers (and can be written) and the dispatcher is not stalled: while tasks wait and it
 * has free workers, it must have finished a claim within the last {@link #stalledAfter}; a claim must not hang.
 * Registered only when the application has quarkus-smallrye-health.
 */
@Readiness
@Singleton
public class TaskQueueReadinessCheck implements AsyncHealthCheck {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    private final TaskStore store;
    private final TaskDispatcher dispatcher;
    private final boolean worker;
    private final Duration stalledAfter;

    public TaskQueueReadinessCheck(TaskStore store, TaskDispatcher dispatcher, TaskQueueConfig config) {
        this.store = store;
        this.dispatcher = dispatcher;
        this.worker = config.worker().enabled();
        Duration poll = config.pollInterval();
        this.stalledAfter = Duration.ofSeconds(30).plus(poll.multipliedBy(3));
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        String storeName = store.getClass().getSimpleName();
        return store.probe().ifNoItem().after(PROBE_TIMEOUT)
                .failWith(() -> new IllegalStateException("the store did not answer within "
                        + PROBE_TIMEOUT.toSeconds() + " s"))
                .map(waiting -> {
                    HealthCheckResponseBuilder r = HealthCheckResponse.named("TaskQueue").withData("store", storeName)
                            .withData("tasksWaiting", waiting);
                    if (!worker) {
                        return r.withData("dispatcher", "disabled (quarkus.taskqueue.worker.enabled=false)").up()
                                .build();
                    }
                    Liveness l = dispatcher.liveness();
                    r.withData("running", l.running()).withData("freeWorkers", l.freeSlots())
                            .withData("lastClaimSecondsAgo", l.sinceLastClaim().toSeconds());
                    String stalled = stalled(l, waiting);
                    if (stalled != null) {
                        return r.withData("dispatcher", stalled).down().build();
                    }
                    return r.withData("dispatcher", l.accepting() ? "running" : "stopped").up().build();
                })
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named("TaskQueue").withData("store", storeName)
                        .withData("error", "the store cannot be reached: " + message(e)).down().build());
    }

    private String stalled(Liveness l, boolean waiting) {
        if (l.claimRunningFor().compareTo(stalledAfter) > 0) {
            return "stalled: a claim has been running for " + l.claimRunningFor().toSeconds() + " s";
        }
        if (l.accepting() && waiting && l.freeSlots() > 0 && l.sinceLastClaim().compareTo(stalledAfter) > 0) {
            return "stalled: tasks wait and workers are free, but no claim for " + l.sinceLastClaim().toSeconds()
                    + " s";
        }
        return null;
    }

    private static String message(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getName();
    }
}
