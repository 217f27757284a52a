package io.quarkiverse.taskqueue.runtime.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;


/**
 * The SQLite schema, versioned in {@code tq_meta}. Task states are stored as their {@link StateCodes}; the
 * active states are {@code state < 4} ({@link StateCodes#active}).
 * <p>
 * Runnable tasks are also listed in {@code tq_ready}, ordered as they are claimed (priority, then submission
 * sequence = task id): claiming deletes from this small table instead of scanning {@code tq_task}.
 * Tasks met at the head of the queue while their concurrency key is at its limit are parked in
 * {@code tq_parked} until the key has room again.
 * {@code tq_group.active} counts a group's tasks that are not final, so completion is found without a scan;
 * {@code tq_group.open_submissions} counts the submissions still adding to it, and {@code tq_group_writer} says
 * which process holds them, so that those of a dead process can be released without touching a live one's.
 */
final class SqliteSchema {

    static final int VERSION = 4;

    /** RETURNING (3.35) and the built-in JSON functions (3.38), which the store's statements use. */
    static final String MIN_SQLITE_VERSION = "3.38.0";

    private static final String[] V1 = {
            """
            CREATE TABLE tq_task (
              id INTEGER PRIMARY KEY,
              type TEXT NOT NULL,
              payload TEXT,
              state INTEGER NOT NULL,
              priority INTEGER NOT NULL,
              dedup_key TEXT,
              group_id TEXT,
              concurrency_key TEXT,
              batch_id TEXT,
              name TEXT,
              max_retries INTEGER NOT NULL,
              retry_policy TEXT,
              timeout_ms INTEGER,
              attempts INTEGER NOT NULL DEFAULT 0,
              created_at INTEGER NOT NULL,
              due_at INTEGER,
              run_at INTEGER,
              started_at INTEGER,
              finished_at INTEGER,
              lease_until INTEGER,
              owner TEXT,
              cancel_requested INTEGER NOT NULL DEFAULT 0,
              result TEXT,
              error TEXT,
              error_class TEXT,
              error_trace TEXT
            )""",
            "CREATE UNIQUE INDEX tq_task_dedup ON tq_task (dedup_key) WHERE dedup_key IS NOT NULL AND state < 4",
            "CREATE INDEX tq_task_group ON tq_task (group_id, id) WHERE group_id IS NOT NULL",
            "CREATE INDEX tq_task_due ON tq_task (due_at) WHERE due_at IS NOT NULL",
            "CREATE INDEX tq_task_lease ON tq_task (lease_until) WHERE lease_until IS NOT NULL",
            """
            CREATE TABLE tq_ready (
              priority INTEGER NOT NULL,
              seq INTEGER NOT NULL,
              ckey TEXT,
              PRIMARY KEY (priority DESC, seq)
            ) WITHOUT ROWID""",
            """
            CREATE TABLE tq_group (
              id TEXT PRIMARY KEY,
              created_at INTEGER NOT NULL,
              active INTEGER NOT NULL DEFAULT 0,
              open_submissions INTEGER NOT NULL DEFAULT 0,
              completed INTEGER NOT NULL DEFAULT 0
            ) WITHOUT ROWID""",
            "CREATE TABLE tq_handler (type TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID",
    };

    /** Version 2: tasks parked behind their concurrency key's limit. */
    private static final String[] V2 = {
            """
            CREATE TABLE tq_parked (
              ckey TEXT NOT NULL,
              priority INTEGER NOT NULL,
              seq INTEGER NOT NULL,
              PRIMARY KEY (ckey, priority DESC, seq)
            ) WITHOUT ROWID""",
    };

    /** Version 3: which process holds a group's open submissions. */
    private static final String[] V3 = {
            """
            CREATE TABLE tq_group_writer (
              group_id TEXT NOT NULL,
              owner TEXT NOT NULL,
              open INTEGER NOT NULL,
              PRIMARY KEY (group_id, owner)
            ) WITHOUT ROWID""",
            // the writers of groups left open by an earlier version are unknown; that version released them at start
            "UPDATE tq_group SET open_submissions = 0 WHERE open_submissions > 0",
    };

    /**
     * Version 4: the receipts of submissions with an id, kept for {@code quarkus.taskqueue.submission.retention}; the
     * callbacks of groups, tasks held (SCHEDULED, not due) with the group they wait for in {@code after_group}.
     */
    private static final String[] V4 = {
            """
            CREATE TABLE tq_submission (
              id TEXT PRIMARY KEY,
              batch_id TEXT NOT NULL,
              task_count INTEGER NOT NULL,
              created_at INTEGER NOT NULL
            ) WITHOUT ROWID""",
            "CREATE INDEX tq_submission_created ON tq_submission (created_at)",
            // a row per committed chunk, its placements encoded by SubmissionReceipts (a few bytes per task)
            """
            CREATE TABLE tq_receipt (
              submission_id TEXT NOT NULL,
              first_index INTEGER NOT NULL,
              last_index INTEGER NOT NULL,
              fingerprint INTEGER NOT NULL,
              placements TEXT NOT NULL
            )""",
            "CREATE UNIQUE INDEX tq_receipt_chunk ON tq_receipt (submission_id, first_index)",
            "ALTER TABLE tq_task ADD COLUMN after_group TEXT",
            "CREATE INDEX tq_task_after_group ON tq_task (after_group) WHERE after_group IS NOT NULL",
    };

    private SqliteSchema() {
    }

    /**
     * Fails with what to do when the SQLite engine is older than the store's statements need. The driver an
     * application resolves decides it: an older {@code org.xerial:sqlite-jdbc} pinned by its build wins over ours.
     */
    static void requireSupportedVersion(String sqliteVersion, String driverVersion) {
        if (compareVersions(sqliteVersion, MIN_SQLITE_VERSION) < 0) {
            throw new IllegalStateException("SQLite " + sqliteVersion + " is too old for the TaskQueue store, which needs "
                    + "SQLite " + MIN_SQLITE_VERSION + " or newer. The application uses org.xerial:sqlite-jdbc "
                    + driverVersion + ": remove the older version that your build pins (see `mvn dependency:tree "
                    + "-Dincludes=org.xerial:sqlite-jdbc`) so that the one quarkus-taskqueue declares is used, or depend "
                    + "on org.xerial:sqlite-jdbc " + MIN_SQLITE_VERSION + ".0 or newer");
        }
    }

    /** Compares dotted version numbers ({@code 3.38.0}) numerically, part by part. */
    static int compareVersions(String a, String b) {
        String[] x = a.trim().split("\\.");
        String[] y = b.trim().split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(i < x.length ? leadingNumber(x[i]) : 0, i < y.length ? leadingNumber(y[i]) : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static int leadingNumber(String part) {
        int end = 0;
        while (end < part.length() && Character.isDigit(part.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(part.substring(0, end));
    }

    /**
     * Creates the schema in a new file, upgrades an older one, checks the version of an existing one. A file already
     * at this version is only read: a read-only tool opening it writes nothing.
     */
    static void migrate(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (storedVersion(s) == VERSION) {
                return;
            }
            s.execute("BEGIN IMMEDIATE");
            try {
                s.execute("CREATE TABLE IF NOT EXISTS tq_meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID");
                int version = storedVersion(s);
                if (version > VERSION) {
                    throw new IllegalStateException("The TaskQueue store was written by a newer version (schema "
                            + version + ", this version knows " + VERSION + "): upgrade the application");
                }
                if (version < 1) {
                    for (String ddl : V1) {
                        s.execute(ddl);
                    }
                }
                if (version < 2) {
                    for (String ddl : V2) {
                        s.execute(ddl);
                    }
                }
                if (version < 3) {
                    for (String ddl : V3) {
                        s.execute(ddl);
                    }
                }
                if (version < 4) {
                    for (String ddl : V4) {
                        s.execute(ddl);
                    }
                }
                s.execute("INSERT OR REPLACE INTO tq_meta (key, value) VALUES ('schema_version', '" + VERSION + "')");
                s.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                s.execute("ROLLBACK");
                throw e;
            }
        }
    }

    /** The schema version written in the file, 0 for a new file. */
    private static int storedVersion(Statement s) throws SQLException {
        try (ResultSet meta = s.executeQuery(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tq_meta'")) {
            if (!meta.next() || meta.getInt(1) == 0) {
                return 0;
            }
        }
        try (ResultSet rs = s.executeQuery("SELECT value FROM tq_meta WHERE key = 'schema_version'")) {
            return rs.next() ? Integer.parseInt(rs.getString(1)) : 0;
        }
    }
}
