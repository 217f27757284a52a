package io.quarkiverse.taskqueue.cli;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkiverse.taskqueue.runtime.QueueClock;
import io.quarkiverse.taskqueue.runtime.config.TaskQueueConfig;
import io.quarkiverse.taskqueue.runtime.store.SqliteStoreProducer;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;
import io.quarkiverse.taskqueue.runtime.store.pg.PostgresTaskStore;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

/**
 * The CLI's store, chosen when it starts (an application's store is fixed at build time): PostgreSQL with
 * {@code --pg URL}, on a small pool of its own (the CLI has no datasource), otherwise the SQLite file.
 */
@Singleton
public class CliStore {

    private io.vertx.sqlclient.Pool pool;

    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    TaskStore store(TaskQueueConfig config, QueueClock clock, Vertx vertx) {
        String url = System.getProperty(TaskQueueMain.PG_URL);
        if (url == null) {
            return SqliteStoreProducer.create(config, clock);
        }
        PgConnectOptions options;
        try {
            options = PgConnectOptions.fromUri(url);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--pg " + url + ": not a PostgreSQL URL (postgresql://user@host:5432/db): "
                    + e.getMessage(), e);
        }
        pool = PgBuilder.pool().connectingTo(options).with(new PoolOptions().setMaxSize(4)).using(vertx).build();
        return new PostgresTaskStore(io.vertx.mutiny.sqlclient.Pool.newInstance(pool), vertx, clock);
    }

    void close(@Disposes TaskStore store) {
        if (pool != null) {
            pool.close();
        }
    }
}
