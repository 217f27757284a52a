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

    /** Ends what an earlier test JVM left running (a killed JVM's statement runs on until it tries to answer). */
    static final String END_OTHERS = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
            + "current_database() AND application_name = 'vertx-pg-client' AND pid <> pg_backend_pid()";
    static final String DROP = "SET client_min_messages = warning; DROP TABLE IF EXISTS tq_task, tq_group, tq_group_writer, tq_handler, tq_submission, tq_receipt, tq_meta CASCADE";

    static final PgConnectOptions OPTIONS = new PgConnectOptions().setHost("127.0.0.1").setPort(5432)
            .setDatabase("test").setUser("postgres");

    @Override
    public Map<String, String> start() {
        execute(END_OTHERS);
        execute(DROP);
        return Map.of();
    }

    @Override
    public void stop() {
    }

    /** The first column of the first row of {@code sql} on the test database, as a number (0 for none). */
    static long queryLong(String sql) {
        Vertx vertx = Vertx.vertx();
        try {
            return PgConnection.connect(vertx, OPTIONS)
                    .compose(c -> c.query(sql).execute().eventually(() -> c.close()))
                    .map(rows -> {
                        if (rows.size() == 0) {
                            return 0L;
                        }
                        Number n = (Number) rows.iterator().next().getValue(0);
                        return n == null ? 0L : n.longValue();
                    })
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot query PostgreSQL at 127.0.0.1:5432/test: " + sql, e);
        } finally {
            vertx.close();
        }
    }

    /** Runs one statement on the test database, blocking. */
    static void execute(String sql) {
        Vertx vertx = Vertx.vertx();
        try {
            PgConnection.connect(vertx, OPTIONS)
                    .compose(c -> c.query(sql).execute().eventually(() -> c.close()))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot run on PostgreSQL at 127.0.0.1:5432/test (is it running?): " + sql, e);
        } finally {
            vertx.close();
        }
    }
}
