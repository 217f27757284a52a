package io.quarkiverse.taskqueue.it;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;

/**
 * Each start of the test application (one per test profile) gets empty TaskQueue tables, as each SQLite profile
 * gets a file of its own: the tables are dropped and the store creates them again.
 */
@QuarkusTestResource(value = FreshDatabase.class, restrictToAnnotatedClass = false)
public class FreshDatabase implements QuarkusTestResourceLifecycleManager {

    static final String DROP = "SET client_min_messages = warning; DROP TABLE IF EXISTS tq_task, tq_group, tq_group_writer, tq_handler, tq_meta CASCADE";

    @Override
    public Map<String, String> start() {
        execute(DROP);
        return Map.of();
    }

    @Override
    public void stop() {
    }

    /** Runs one statement on the test database, blocking. */
    static void execute(String sql) {
        Vertx vertx = Vertx.vertx();
        try {
            PgConnectOptions options = new PgConnectOptions().setHost("127.0.0.1").setPort(5432).setDatabase("test")
                    .setUser("postgres");
            PgConnection.connect(vertx, options)
                    .compose(c -> c.query(sql).execute().eventually(() -> c.close()))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot run on PostgreSQL at 127.0.0.1:5432/test (is it running?): " + sql, e);
        } finally {
            vertx.close();
        }
    }
}
