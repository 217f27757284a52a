package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;

/**
 * PostgreSQL-specific: the queue shares the application's reactive pool. While the application holds every
 * connection, submissions and the dispatcher wait for one; when the connections come back, everything goes on:
 * nothing deadlocks and no task is lost.
 */
@QuarkusTest
class PostgresPoolExhaustionTest {

    static final Duration WAIT = Duration.ofSeconds(90);

    @Inject
    Pool pool;

    @Inject
    TaskQueue queue;

    @Test
    void anExhaustedPoolDelaysTheQueueButDoesNotDeadlockIt() throws Exception {
        List<SqlConnection> held = new ArrayList<>();
        List<Transaction> open = new ArrayList<>();
        // the default pool has 20 connections; the LISTEN connection holds one
        while (true) {
            CompletableFuture<SqlConnection> next = pool.getConnection().subscribeAsCompletionStage();
            SqlConnection c;
            try {
                c = next.get(2, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                next.thenAccept(SqlConnection::closeAndForget); // none left: this one is given back once it comes
                break;
            }
            held.add(c);
            open.add(c.begin().await().atMost(Duration.ofSeconds(5)));
        }
        assertThat(held).as("connections taken from the pool").isNotEmpty();

        List<TaskSubmission> tasks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            tasks.add(TaskSubmission.of("observed", "ok"));
        }
        CompletableFuture<BatchOutcome> submitted = queue.submitBatch(tasks).subscribeAsCompletionStage();
        Thread.sleep(3_000);
        assertThat(submitted).as("a submission waits while the application holds every connection").isNotDone();

        for (int i = 0; i < held.size(); i++) {
            open.get(i).rollback().await().atMost(Duration.ofSeconds(5));
            held.get(i).close().await().atMost(Duration.ofSeconds(5));
        }

        BatchOutcome outcome = submitted.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(outcome.submitted()).hasSize(200);
        for (var id : outcome.submitted()) {
            assertThat(queue.task(id).await().await().atMost(WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        }
    }
}
