package io.quarkiverse.taskqueue.runtime;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkiverse.taskqueue.runtime.config.TaskQueueConfig;
import io.quarkiverse.taskqueue.runtime.observability.TaskMetrics;
import io.quarkus.arc.DefaultBean;
import io.quarkiverse.taskqueue.runtime.dispatch.TaskDispatcher;
import io.quarkiverse.taskqueue.runtime.handler.TaskHandlerRegistry;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;
import io.vertx.core.Vertx;

/**
 * The queue's parts as beans, for the extension's own tools (REST, CLI) and integrations to inject. They are
 * created here and started and stopped by {@link TaskQueueImpl}, in that order: store, then dispatcher. The
 * {@link TaskStore} bean comes from the producer of the store chosen at build time
 * ({@link io.quarkiverse.taskqueue.runtime.store.SqliteStoreProducer} or
 * {@link io.quarkiverse.taskqueue.runtime.store.pg.PostgresStoreProducer}).
 */
@Singleton
public class TaskQueueBeans {

    @Produces
    @Singleton
    TaskEvents events() {
        return new TaskEvents();
    }

    /** The last 50 batches of this node, for the Dev UI. */
    @Produces
    @Singleton
    RecentBatches recentBatches() {
        return new RecentBatches(50);
    }

    @Produces
    @Singleton
    TaskDispatcher dispatcher(Vertx vertx, TaskStore store, TaskHandlerRegistry registry, TaskEvents events,
            TaskQueueConfig config, QueueClock clock, TaskMetrics metrics) {
        return new TaskDispatcher(vertx, store, registry, events, config, clock, metrics);
    }

    /** Replaced by the Micrometer one when the application has quarkus-micrometer. */
    @Produces
    @Singleton
    @DefaultBean
    TaskMetrics noMetrics() {
        return TaskMetrics.NONE;
    }
}
