package io.quarkiverse.taskqueue.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The latency baseline: the extension's submit-to-start path built from plain JDBC and JDK executors, with the
 * same hops and transactions: caller → writer thread (insert task + ready row, BEGIN IMMEDIATE … COMMIT) →
 * writer again (claim: delete from tq_ready, mark RUNNING) → a worker thread (the "handler" reads the clock)
 * → writer (complete). No Mutiny, Vert.x, JSON or dedup lookup.
 */
final class RawPipeline implements AutoCloseable {

    private static final String INSERT_READY = "INSERT INTO tq_ready (priority, seq, ckey) VALUES (0, ?, NULL)";

    private final Connection c;
    private final ExecutorService writer = Executors.newSingleThreadExecutor();
    private final ExecutorService workers;
    private final Statement tx;
    private final PreparedStatement insert;
    private final PreparedStatement ready;
    private final PreparedStatement claimReady;
    private final PreparedStatement claim;
    private final PreparedStatement complete;
    private long nextId = 1;

    RawPipeline(Connection c, int workerThreads) throws SQLException {
        this.c = c;
        this.workers = Executors.newFixedThreadPool(workerThreads);
        tx = c.createStatement();
        insert = c.prepareStatement(RawSqlite.INSERT_TASK);
        ready = c.prepareStatement(INSERT_READY);
        claimReady = c.prepareStatement(RawSqlite.CLAIM_READY);
        claim = c.prepareStatement(RawSqlite.CLAIM_TASKS);
        complete = c.prepareStatement(RawSqlite.COMPLETE);
    }

    /** One task through the pipeline; returns nanoseconds from the call to the "handler" start. */
    long sample() throws Exception {
        CompletableFuture<Long> started = new CompletableFuture<>();
        long t0 = System.nanoTime();
        writer.execute(() -> {
            try {
                insertOne();
                writer.execute(() -> {
                    try {
                        long id = claimOne();
                        workers.execute(() -> {
                            started.complete(System.nanoTime());
                            writer.execute(() -> completeOne(id));
                        });
                    } catch (SQLException e) {
                        started.completeExceptionally(e);
                    }
                });
            } catch (SQLException e) {
                started.completeExceptionally(e);
            }
        });
        return started.get(10, TimeUnit.SECONDS) - t0;
    }

    private void insertOne() throws SQLException {
        long id = nextId++;
        long now = System.currentTimeMillis();
        tx.execute("BEGIN IMMEDIATE");
        insert.setLong(1, id);
        insert.setString(2, "bench_start");
        insert.setString(3, Long.toString(id));
        insert.setInt(4, 1);
        insert.setInt(5, 0);
        for (int col : new int[] { 6, 7, 8, 9, 10, 12 }) {
            insert.setString(col, null);
        }
        insert.setInt(11, 3);
        insert.setNull(13, java.sql.Types.BIGINT);
        insert.setLong(14, now);
        insert.setNull(15, java.sql.Types.BIGINT);
        insert.setLong(16, now);
        insert.executeUpdate();
        ready.setLong(1, id);
        ready.executeUpdate();
        tx.execute("COMMIT");
    }

    private long claimOne() throws SQLException {
        tx.execute("BEGIN IMMEDIATE");
        claimReady.setString(1, "[]");
        claimReady.setInt(2, 1);
        long id;
        try (ResultSet rs = claimReady.executeQuery()) {
            rs.next();
            id = rs.getLong(2);
        }
        long now = System.currentTimeMillis();
        claim.setLong(1, now);
        claim.setLong(2, now + 30_000);
        claim.setString(3, "raw");
        claim.setString(4, "[" + id + "]");
        try (ResultSet rs = claim.executeQuery()) {
            rs.next();
        }
        tx.execute("COMMIT");
        return id;
    }

    private void completeOne(long id) {
        try {
            tx.execute("BEGIN IMMEDIATE");
            complete.setInt(1, 4);
            complete.setLong(2, System.currentTimeMillis());
            for (int col = 3; col <= 6; col++) {
                complete.setString(col, null);
            }
            complete.setNull(7, java.sql.Types.BIGINT);
            complete.setNull(8, java.sql.Types.BIGINT);
            complete.setLong(9, id);
            complete.executeUpdate();
            tx.execute("COMMIT");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        writer.shutdown();
        writer.awaitTermination(10, TimeUnit.SECONDS);
        workers.shutdown();
        c.close();
    }
}
