package io.quarkiverse.taskqueue.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkiverse.taskqueue.runtime.store.SqliteFile;

/**
 * Plain sqlite-jdbc (DriverManager, no pool, no extension code): the baselines, and the bench's own look at the
 * extension's file (reset between rounds, completion counts). Same pragmas as the extension's datasource URL;
 * the schema is copied from the file the extension created, so it is exactly the extension's (indexes included).
 */
final class RawSqlite {

    /** The SQL of SqliteTaskStore (INSERT_TASK, READY_RANGE, CLAIM_READY, CLAIM_TASKS, COMPLETE), copied. */
    static final String INSERT_TASK = "INSERT INTO tq_task (id, type, payload, state, priority, dedup_key, "
            + "group_id, concurrency_key, batch_id, name, max_retries, retry_policy, timeout_ms, created_at, due_at, "
            + "run_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static final String READY_ALL = "INSERT INTO tq_ready (priority, seq, ckey) "
            + "SELECT priority, id, concurrency_key FROM tq_task WHERE due_at IS NULL";
    static final String CLAIM_READY = "DELETE FROM tq_ready WHERE (priority, seq) IN (SELECT priority, seq FROM "
            + "tq_ready WHERE ckey IS NULL OR ckey NOT IN (SELECT value FROM json_each(?)) ORDER BY priority DESC, seq "
            + "LIMIT ?) RETURNING priority, seq, ckey";
    static final String CLAIM_TASKS = "UPDATE tq_task SET state = 2, attempts = attempts + 1, "
            + "started_at = ?, lease_until = ?, owner = ? WHERE id IN (SELECT value FROM json_each(?)) AND state < 4 "
            + "RETURNING id, type, payload, attempts, priority, group_id, concurrency_key, max_retries, retry_policy, "
            + "timeout_ms";
    static final String COMPLETE = "UPDATE tq_task SET state = ?, finished_at = ?, result = ?, error = ?, "
            + "error_class = ?, error_trace = ?, due_at = ?, run_at = coalesce(?, run_at), lease_until = NULL, "
            + "owner = NULL WHERE id = ? AND state = 2";

    /**
     * The least a task table needs (issue 19's baseline): one row per task, a unique index on the active dedup keys
     * and one claim index in the dispatch order.
     */
    static final List<String> MINIMAL_DDL = List.of(
            "CREATE TABLE tq_task (id INTEGER PRIMARY KEY, type TEXT NOT NULL, payload TEXT, state INTEGER NOT NULL, "
                    + "priority INTEGER NOT NULL, dedup_key TEXT, created_at INTEGER NOT NULL)",
            "CREATE UNIQUE INDEX tq_task_dedup ON tq_task (dedup_key) WHERE dedup_key IS NOT NULL AND state < 4",
            "CREATE INDEX tq_task_claim ON tq_task (priority DESC, id) WHERE state = 1");
    static final String INSERT_MINIMAL = "INSERT INTO tq_task (id, type, payload, state, priority, dedup_key, "
            + "created_at) VALUES (?, ?, ?, 1, 0, ?, ?)";

    private RawSqlite() {
    }

    /** The extension's SQLite file. */
    static Path extensionFile() {
        return Path.of(ConfigProvider.getConfig().getValue("quarkus.taskqueue.sqlite.path", String.class));
    }

    /** The baseline's own file. */
    static Path rawFile() {
        return Path.of(System.getProperty("bench.raw"));
    }

    /** A JDBC URL for {@code file} with the pragmas of the extension's store. */
    static String url(Path file) {
        String synchronous = ConfigProvider.getConfig().getOptionalValue("quarkus.taskqueue.sqlite.synchronous", String.class)
                .orElse("normal");
        return SqliteFile.url(file.toString()) + "&synchronous=" + synchronous.toUpperCase();
    }

    static Connection open(Path file) throws SQLException {
        try {
            Class.forName("org.sqlite.JDBC");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return DriverManager.getConnection(url(file));
    }

    /** The DDL of the extension's file, in creation order. */
    static List<String> schema() throws SQLException {
        List<String> ddl = new ArrayList<>();
        try (Connection c = open(extensionFile()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")) {
            while (rs.next()) {
                ddl.add(rs.getString(1));
            }
        }
        return ddl;
    }

    /** A new baseline file (the old one deleted) with the extension's schema. */
    static Connection fresh(List<String> ddl) throws Exception {
        Path file = rawFile();
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
        Connection c = open(file);
        try (Statement s = c.createStatement()) {
            for (String sql : ddl) {
                s.execute(sql);
            }
        }
        return c;
    }

    /**
     * Inserts {@code n} bench_noop tasks in ONE transaction with {@code executeBatch}: the row values the
     * extension writes for {@code submitBatch} (QUEUED, priority 0, retries 3, a batch id).
     */
    static void insertTasks(Connection c, int n, String keyPrefix, boolean ready) throws SQLException {
        long now = System.currentTimeMillis();
        String batchId = UUID.randomUUID().toString();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(INSERT_TASK)) {
            for (int i = 0; i < n; i++) {
                ps.setLong(1, i + 1);
                ps.setString(2, "bench_noop");
                ps.setString(3, Integer.toString(i));
                ps.setInt(4, 1);
                ps.setInt(5, 0);
                ps.setString(6, keyPrefix == null ? null : keyPrefix + i);
                ps.setString(7, null);
                ps.setString(8, null);
                ps.setString(9, batchId);
                ps.setString(10, null);
                ps.setInt(11, 3);
                ps.setString(12, null);
                ps.setNull(13, java.sql.Types.BIGINT);
                ps.setLong(14, now);
                ps.setNull(15, java.sql.Types.BIGINT);
                ps.setLong(16, now);
                ps.addBatch();
            }
            ps.executeBatch();
            if (ready) {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate(READY_ALL);
                }
            }
            c.commit();
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * Inserts {@code n} tasks into the {@link #MINIMAL_DDL} table: in ONE transaction with {@code executeBatch}, or
     * with {@code autocommit} one statement and one commit per task.
     */
    static void insertMinimal(Connection c, int n, String keyPrefix, boolean autocommit) throws SQLException {
        long now = System.currentTimeMillis();
        c.setAutoCommit(autocommit);
        try (PreparedStatement ps = c.prepareStatement(INSERT_MINIMAL)) {
            for (int i = 0; i < n; i++) {
                ps.setLong(1, i + 1);
                ps.setString(2, "bench_noop");
                ps.setString(3, Integer.toString(i));
                ps.setString(4, keyPrefix == null ? null : keyPrefix + i);
                ps.setLong(5, now);
                if (autocommit) {
                    ps.executeUpdate();
                } else {
                    ps.addBatch();
                }
            }
            if (!autocommit) {
                ps.executeBatch();
                c.commit();
            }
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * Drains the queue as SqliteTaskStore does, without handlers: claim {@code batch} tasks in one BEGIN IMMEDIATE
     * transaction (delete from tq_ready, mark RUNNING), then complete them (SUCCEEDED, executeBatch) in another.
     */
    static int drain(Connection c, int batch) throws SQLException {
        int total = 0;
        try (Statement tx = c.createStatement(); PreparedStatement claimReady = c.prepareStatement(CLAIM_READY);
                PreparedStatement claim = c.prepareStatement(CLAIM_TASKS);
                PreparedStatement complete = c.prepareStatement(COMPLETE)) {
            while (true) {
                tx.execute("BEGIN IMMEDIATE");
                claimReady.setString(1, "[]");
                claimReady.setInt(2, batch);
                StringBuilder ids = new StringBuilder("[");
                try (ResultSet rs = claimReady.executeQuery()) {
                    while (rs.next()) {
                        ids.append(ids.length() > 1 ? "," : "").append(rs.getLong(2));
                    }
                }
                ids.append(']');
                long now = System.currentTimeMillis();
                claim.setLong(1, now);
                claim.setLong(2, now + 30_000);
                claim.setString(3, "raw");
                claim.setString(4, ids.toString());
                List<Long> claimed = new ArrayList<>(batch);
                try (ResultSet rs = claim.executeQuery()) {
                    while (rs.next()) {
                        claimed.add(rs.getLong(1));
                        rs.getString(2);
                        rs.getString(3);
                    }
                }
                tx.execute("COMMIT");
                if (claimed.isEmpty()) {
                    return total;
                }
                tx.execute("BEGIN IMMEDIATE");
                now = System.currentTimeMillis();
                for (long id : claimed) {
                    complete.setInt(1, 4);
                    complete.setLong(2, now);
                    complete.setString(3, null);
                    complete.setString(4, null);
                    complete.setString(5, null);
                    complete.setString(6, null);
                    complete.setNull(7, java.sql.Types.BIGINT);
                    complete.setNull(8, java.sql.Types.BIGINT);
                    complete.setLong(9, id);
                    complete.addBatch();
                }
                complete.executeBatch();
                tx.execute("COMMIT");
                total += claimed.size();
            }
        }
    }

    static int count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /**
     * Empties the extension's file between rounds (from this separate connection, while the extension is idle)
     * and compacts it, so that every round starts from an empty store like a fresh file.
     */
    static void reset(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            s.execute("DELETE FROM tq_task");
            s.execute("DELETE FROM tq_ready");
            s.execute("DELETE FROM tq_group");
            s.execute("DELETE FROM tq_receipt");
            s.execute("DELETE FROM tq_submission");
            s.execute("COMMIT");
            s.execute("VACUUM");
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }
}
