package io.quarkiverse.taskqueue.runtime.store.pg;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkiverse.taskqueue.runtime.QueueClock;
import io.quarkiverse.taskqueue.runtime.config.TaskQueueConfig;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;
import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The {@link TaskStore} bean when {@code quarkus.taskqueue.store=postgresql}: on the application's default reactive
 * datasource, or the one {@code quarkus.taskqueue.datasource} names. Registered only then, so that an application
 * without the reactive PostgreSQL client never loads this class.
 */
@Singleton
public class PostgresStoreProducer {

    @Produces
    @Singleton
    TaskStore store(TaskQueueConfig config, QueueClock clock, Vertx vertx, @Any Instance<Pool> pools) {
        String name = config.datasource().orElse(null);
        Instance<Pool> pool = name == null ? pools.select() : pools.select(new ReactiveDataSource.ReactiveDataSourceLiteral(name));
        if (!pool.isResolvable()) {
            throw new IllegalStateException(name == null
                    ? "quarkus.taskqueue.store=postgresql needs a reactive PostgreSQL datasource: set "
                            + "quarkus.datasource.db-kind=postgresql and quarkus.datasource.reactive.url, or name one "
                            + "with quarkus.taskqueue.datasource"
                    : "quarkus.taskqueue.datasource=" + name + ": there is no reactive datasource of that name; "
                            + "configure quarkus.datasource.\"" + name + "\".reactive.url");
        }
        return new PostgresTaskStore(pool.get(), vertx, clock);
    }
}
