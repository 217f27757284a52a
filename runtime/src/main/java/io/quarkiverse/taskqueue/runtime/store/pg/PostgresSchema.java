package io.quarkiverse.taskqueue.runtime.store.pg;

import io.quarkiverse.taskqueue.runtime.store.StateCodes;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * The PostgreSQL schema, versioned in {@code tq_meta}. Created and upgraded in one transaction under an advisory
 * lock, so nodes starting together wait for the first one instead of racing it. States are {@link StateCodes}.
 * <p>
 * A task is runnable when it is QUEUED or RETRYING with no due time ({@link #RUNNABLE}); the partial index
 * {@code tq_task_ready} holds exactly those, in claim order. {@code tq_group.active} counts a group's tasks that are
 * not final; {@code tq_group_writer} names the nodes still adding to a group, with a heartbeat, so that a group
 * whose writer died (on any host) is closed by the others.
 */
final class PostgresSchema {

    static final int VERSION = 2;

    /** Taken (transaction-scoped) while the schema is checked: nodes that start together do it one at a time. */
    private static final long MIGRATION_LOCK = 0x7461736b71756575L; // "taskqueu"

    /** The condition a runnable task meets, written exactly as the ready index's predicate. */
    static final String RUNNABLE = "state IN (" + StateCodes.QUEUED + ", " + StateCodes.RETRYING + ") AND due_at IS NULL";

    private static final String[] V1 = {
            """
            CREATE TABLE tq_task (
              id bigint PRIMARY KEY,
              type text NOT NULL,
              payload text,
              state smallint NOT NULL,
              priority int NOT NULL,
              dedup_key text,
              group_id text,
              concurrency_key text,
              batch_id text,
              name text,
              max_retries int NOT NULL,
              retry_policy text,
              timeout_ms bigint,
              attempts int NOT NULL DEFAULT 0,
              created_at bigint NOT NULL,
              due_at bigint,
              run_at bigint,
              started_at bigint,
              finished_at bigint,
              lease_until bigint,
              owner text,
              cancel_requested boolean NOT NULL DEFAULT false,
              result text,
              error text,
              error_class text,
              error_trace text
            )""",
            "CREATE SEQUENCE tq_task_id_seq OWNED BY tq_task.id",
            "CREATE UNIQUE INDEX tq_task_dedup ON tq_task (dedup_key) WHERE dedup_key IS NOT NULL AND "
                    + StateCodes.active("state"),
            "CREATE INDEX tq_task_ready ON tq_task (priority DESC, id) WHERE " + RUNNABLE,
            "CREATE INDEX tq_task_group ON tq_task (group_id, id) WHERE group_id IS NOT NULL",
            "CREATE INDEX tq_task_due ON tq_task (due_at) WHERE due_at IS NOT NULL",
            "CREATE INDEX tq_task_running ON tq_task (lease_until) WHERE state = " + StateCodes.RUNNING,
            """
            CREATE TABLE tq_group (
              id text PRIMARY KEY,
              created_at bigint NOT NULL,
              active int NOT NULL DEFAULT 0,
              open_submissions int NOT NULL DEFAULT 0,
              completed boolean NOT NULL DEFAULT false
            )""",
            """
            CREATE TABLE tq_group_writer (
              group_id text NOT NULL,
              owner text NOT NULL,
              open int NOT NULL,
              seen_at bigint NOT NULL,
              PRIMARY KEY (group_id, owner)
            )""",
            "CREATE TABLE tq_handler (type text PRIMARY KEY, seen_at bigint NOT NULL)",
    };

    /**
     * Version 2: the receipts of submissions with an id, kept for {@code quarkus.taskqueue.submission.retention}; the
     * callbacks of groups, tasks held (SCHEDULED, not due) with the group they wait for in {@code after_group}.
     */
    private static final String[] V2 = {
            """
            CREATE TABLE tq_submission (
              id text PRIMARY KEY,
              batch_id text NOT NULL,
              task_count int NOT NULL,
              created_at bigint NOT NULL
            )""",
            "CREATE INDEX tq_submission_created ON tq_submission (created_at)",
            // a row per committed chunk, its placements encoded by SubmissionReceipts (a few bytes per task)
            """
            CREATE TABLE tq_receipt (
              submission_id text NOT NULL,
              first_index int NOT NULL,
              last_index int NOT NULL,
              fingerprint bigint NOT NULL,
              placements text NOT NULL,
              PRIMARY KEY (submission_id, first_index)
            )""",
            "ALTER TABLE tq_task ADD COLUMN after_group text",
            "CREATE INDEX tq_task_after_group ON tq_task (after_group) WHERE after_group IS NOT NULL",
    };

    private PostgresSchema() {
    }

    /** Creates the tables, or checks that they have this version. */
    static Uni<Void> migrate(Pool pool) {
        return pool.withTransaction(c -> c.preparedQuery("SELECT pg_advisory_xact_lock($1)")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(MIGRATION_LOCK))
                // "already exists, skipping" is a NOTICE, which the client logs as a warning at every start
                .chain(() -> c.query("SET LOCAL client_min_messages = warning").execute())
                .chain(() -> c.query("CREATE TABLE IF NOT EXISTS tq_meta (version int NOT NULL)").execute())
                .chain(() -> c.query("SELECT max(version) FROM tq_meta").execute())
                .chain(rows -> {
                    Row row = rows.iterator().next();
                    Integer version = row.getInteger(0);
                    if (version == null) {
                        return run(c, V1).chain(() -> run(c, V2)).chain(() -> setVersion(c));
                    }
                    if (version < 2) {
                        return run(c, V2).chain(() -> setVersion(c));
                    }
                    if (version > VERSION) {
                        return Uni.createFrom().failure(new IllegalStateException("the TaskQueue tables have version "
                                + version + ", written by a newer quarkus-taskqueue; this one knows version " + VERSION
                                + " and cannot use them"));
                    }
                    return Uni.createFrom().voidItem();
                }));
    }

    private static Uni<Void> run(SqlConnection c, String[] statements) {
        return Multi.createFrom().items(statements).onItem().transformToUniAndConcatenate(sql -> c.query(sql).execute())
                .collect().last().replaceWithVoid();
    }

    private static Uni<Void> setVersion(SqlConnection c) {
        return c.query("DELETE FROM tq_meta").execute()
                .chain(() -> c.query("INSERT INTO tq_meta (version) VALUES (" + VERSION + ")").execute())
                .replaceWithVoid();
    }
}
