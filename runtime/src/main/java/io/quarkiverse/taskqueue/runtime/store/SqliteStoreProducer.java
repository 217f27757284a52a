package io.quarkiverse.taskqueue.runtime.store;

import javax.sql.DataSource;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkiverse.taskqueue.runtime.QueueClock;
import io.quarkiverse.taskqueue.runtime.config.TaskQueueConfig;

/** The {@link TaskStore} bean when {@code quarkus.taskqueue.store=sqlite} (the default). */
@Singleton
public class SqliteStoreProducer {

    @Produces
    @Singleton
    TaskStore store(TaskQueueConfig config, QueueClock clock) {
        return create(config, clock);
    }

    /** The SQLite store the configuration describes (also for the CLI, which chooses its store at run time). */
    public static TaskStore create(TaskQueueConfig config, QueueClock clock) {
        DataSource dataSource = config.datasource().isPresent() ? NamedDataSource.lookup(config.datasource().get())
                : SqliteFile.dataSource(config.sqlite().path());
        return new SqliteTaskStore(dataSource, config.sqlite().synchronous().name(), clock);
    }
}
