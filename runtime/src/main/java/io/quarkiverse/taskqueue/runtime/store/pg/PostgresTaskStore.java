package io.quarkiverse.taskqueue.runtime.store.pg;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.quarkiverse.taskqueue.DuplicateStrategy;
import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskInfo;
import io.quarkiverse.taskqueue.TaskResult;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.runtime.QueueClock;
import io.quarkiverse.taskqueue.runtime.dispatch.LeaseRescue;
import io.quarkiverse.taskqueue.runtime.dispatch.Owner;
import io.quarkiverse.taskqueue.runtime.store.CallerTransaction;
import io.quarkiverse.taskqueue.runtime.store.CancelResult;
import io.quarkiverse.taskqueue.runtime.store.ChunkReceipt;
import io.quarkiverse.taskqueue.runtime.store.GroupCallbacks;
import io.quarkiverse.taskqueue.runtime.store.ChunkResult;
import io.quarkiverse.taskqueue.runtime.store.SubmissionReceipts;
import io.quarkiverse.taskqueue.runtime.store.ClaimBudget;
import io.quarkiverse.taskqueue.runtime.store.ClaimedTask;
import io.quarkiverse.taskqueue.runtime.store.Completion;
import io.quarkiverse.taskqueue.runtime.store.DedupPlanner;
import io.quarkiverse.taskqueue.runtime.store.Ended;
import io.quarkiverse.taskqueue.runtime.store.GroupCounts;
import io.quarkiverse.taskqueue.runtime.store.NewTask;
import io.quarkiverse.taskqueue.runtime.store.SerialWrites;
import io.quarkiverse.taskqueue.runtime.store.Placement;
import io.quarkiverse.taskqueue.runtime.store.RetryConflict;
import io.quarkiverse.taskqueue.runtime.store.StateCodes;
import io.quarkiverse.taskqueue.runtime.store.StoreListener;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;
import io.quarkiverse.taskqueue.runtime.store.TaskWrites;
import io.quarkiverse.taskqueue.runtime.store.pg.Sql.SqlRow;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.PreparedStatement;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The store for several nodes: PostgreSQL through the Vert.x reactive client. Set-based statements (arrays
 * through {@code unnest}) so that a chunk costs a few round trips whatever its size; claims with
 * {@code FOR UPDATE SKIP LOCKED}, so nodes claiming together never take the same task; dedup keys are unique
 * among active tasks by a partial unique index, so two nodes writing the same key cannot both win. A committed
 * chunk sends one NOTIFY; the other nodes LISTEN and claim at once (their poll is only a fallback).
 * <p>
 * Single submits and completions are queued and written together, one transaction at a time for each.
 */
public class PostgresTaskStore implements TaskStore {

    private static final Logger LOG = Logger.getLogger(PostgresTaskStore.class);

    static final String CHANNEL = "tq_wakeup";
    private static final int SCHEDULED = StateCodes.SCHEDULED;
    private static final int QUEUED = StateCodes.QUEUED;
    private static final int RUNNING = StateCodes.RUNNING;
    private static final int FAILED = StateCodes.FAILED;
    private static final int CANCELLED = StateCodes.CANCELLED;
    private static final int SUPERSEDED = StateCodes.SUPERSEDED;
    private static final int MAX_SINGLES_PER_TX = 1000;
    /**
     * Completions written per transaction: a backlog of them (the database was slow for a while) is written in
     * short transactions instead of one statement joining tens of thousands of rows, which was seen to run for
     * minutes while the leases of the tasks it held expired.
     */
    private static final int MAX_COMPLETIONS_PER_TX = 1000;
    /** How often a node refreshes its group writers, and how long one may go quiet before it counts as dead. */
    private static final long WRITER_HEARTBEAT_MS = 5_000;
    private static final long WRITER_DEAD_AFTER_MS = 30_000;
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    /** A dispatch transaction taking longer is given up: one stuck statement must not stop the dispatcher. */
    private static final Duration DISPATCH_TIMEOUT = Duration.ofSeconds(60);

    private static final String ACTIVE = StateCodes.active("state");
    /**
     * One statement per chunk: it draws the chunk's ids from the sequence (the k-th task gets the k-th smallest, so a
     * batch keeps its order), inserts, and, when a runnable task went in, sends the NOTIFY ({@code $16} the channel,
     * {@code $17} the payload). It returns the inserted rows' ids and keys: a task whose key an active task holds is
     * left out by ON CONFLICT.
     */
    private static final String INSERT_TASKS = "WITH ins AS (INSERT INTO tq_task (id, type, payload, state, priority, "
            + "dedup_key, group_id, concurrency_key, name, max_retries, retry_policy, timeout_ms, due_at, run_at, "
            + "batch_id, created_at) SELECT u.id, u.type, u.payload, u.state, u.priority, u.dedup_key, u.group_id, "
            + "u.concurrency_key, u.name, u.max_retries, u.retry_policy, u.timeout_ms, u.due_at, u.run_at, $14, $15 "
            // unnest of several arrays zips them: the k-th task meets the k-th id of the sorted ones
            + "FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[], "
            + "$8::text[], $9::int[], $10::text[], $11::bigint[], $12::bigint[], $13::bigint[], "
            + "(SELECT array_agg(id ORDER BY id) FROM (SELECT nextval('tq_task_id_seq') AS id "
            + "FROM generate_series(1, cardinality($1::text[]))) s)) "
            + "AS u(type, payload, state, priority, dedup_key, group_id, concurrency_key, name, max_retries, "
            + "retry_policy, timeout_ms, due_at, run_at, id) "
            + "ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL AND " + ACTIVE + " DO NOTHING "
            + "RETURNING id, dedup_key, due_at), "
            + "n AS (SELECT pg_notify($16, $17) WHERE EXISTS (SELECT 1 FROM ins WHERE due_at IS NULL)) "
            + "SELECT id, dedup_key, (SELECT count(*) FROM n) FROM ins";
    private static final String FIND_ACTIVE = "SELECT t.dedup_key, t.id, t.state, t.group_id, t.type "
            + "FROM unnest($1::text[]) AS k(key) JOIN tq_task t ON t.dedup_key = k.key "
            + "WHERE t.dedup_key IS NOT NULL AND t." + ACTIVE;
    private static final String CLAIMED_COLUMNS = "t.id, t.type, t.payload, t.attempts, t.priority, t.group_id, "
            + "t.concurrency_key, t.max_retries, t.retry_policy, t.timeout_ms";
    private static final String CLAIM = "WITH c AS (SELECT id FROM tq_task WHERE " + PostgresSchema.RUNNABLE
            + " AND (concurrency_key IS NULL OR NOT (concurrency_key = ANY($5::text[]))) "
            + "ORDER BY priority DESC, id LIMIT $1 FOR UPDATE SKIP LOCKED) "
            + "UPDATE tq_task t SET state = " + RUNNING + ", attempts = t.attempts + 1, started_at = $2, "
            + "lease_until = $3, owner = $4 FROM c WHERE t.id = c.id RETURNING " + CLAIMED_COLUMNS;
    private static final String CANDIDATES = "SELECT id, concurrency_key FROM tq_task WHERE " + PostgresSchema.RUNNABLE
            + " AND (concurrency_key IS NULL OR NOT (concurrency_key = ANY($2::text[]))) "
            + "ORDER BY priority DESC, id LIMIT $1 FOR UPDATE SKIP LOCKED";
    private static final String CLAIM_IDS = "UPDATE tq_task t SET state = " + RUNNING + ", attempts = t.attempts + 1, "
            + "started_at = $2, lease_until = $3, owner = $4 WHERE t.id = ANY($1::bigint[]) RETURNING " + CLAIMED_COLUMNS;
    private static final String COMPLETE = "UPDATE tq_task t SET state = u.state, finished_at = u.finished_at, "
            + "result = u.result, error = coalesce(u.error, t.error), error_class = coalesce(u.error_class, t.error_class), "
            + "error_trace = coalesce(u.error_trace, t.error_trace), due_at = u.due_at, "
            + "run_at = coalesce(u.run_at, t.run_at), lease_until = NULL, owner = NULL "
            + "FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], "
            + "$8::bigint[], $9::bigint[], $10::text[], $11::int[]) AS u(id, state, finished_at, result, error, "
            + "error_class, error_trace, due_at, run_at, owner, attempt) "
            // "state + 0": no partial index (tq_task_running) may drive the join; each row is found by its key
            + "WHERE t.id = u.id AND t.state + 0 = " + RUNNING + " AND t.owner = u.owner AND t.attempts = u.attempt "
            + "RETURNING t.id";
    private static final String RESCUE_COLUMNS = "id, type, attempts, max_retries, cancel_requested, group_id";
    private static final String INFO_COLUMNS = "id, type, state, attempts, priority, group_id, dedup_key, "
            + "concurrency_key, name, created_at, run_at, started_at, finished_at, error, error_class, error_trace";
    private static final String FAILED_TASKS = "SELECT " + INFO_COLUMNS + " FROM tq_task WHERE state IN (" + FAILED
            + ", " + StateCodes.RETRYING + ") ORDER BY coalesce(finished_at, started_at, created_at) DESC, id DESC "
            + "LIMIT $1";
    private static final String RECENT_GROUPS = "SELECT g.id, t.state, count(t.id) FROM (SELECT id, created_at "
            + "FROM tq_group ORDER BY created_at DESC, id LIMIT $1) g LEFT JOIN tq_task t ON t.group_id = g.id "
            + "GROUP BY g.id, g.created_at, t.state ORDER BY g.created_at DESC, g.id";
    /** A retried task starts afresh; its last error stays, as after any attempt. */
    private static final String REQUEUE = "UPDATE tq_task SET state = " + QUEUED + ", attempts = 0, run_at = $1, "
            + "due_at = NULL, started_at = NULL, finished_at = NULL, lease_until = NULL, owner = NULL, "
            + "cancel_requested = false, result = NULL WHERE id = $2";

    private final Pool pool;
    private final Sql poolSql;
    private final Vertx vertx;
    private final QueueClock clock;
    /** Names this node: the writer of the groups it opens, and the sender of its NOTIFYs. */
    private final String node = Owner.create();
    private final SerialWrites<PendingInsert> singles;
    private final SerialWrites<Completion> completions;
    private volatile StoreListener listener;
    private volatile boolean stopped;
    private volatile PgConnection listening;
    /** Where a claim that carries no completions runs, alone: see {@link #claimAlone}. */
    private volatile Claimer claimer;
    private long heartbeatTimer = -1;

    public PostgresTaskStore(Pool pool, Vertx vertx, QueueClock clock) {
        this.pool = pool;
        this.poolSql = Sql.of(pool);
        this.vertx = vertx;
        this.clock = clock;
        this.singles = new SerialWrites<>("single submits", MAX_SINGLES_PER_TX, this::writeSingles, this::later);
        this.completions = new SerialWrites<>("task completions", MAX_COMPLETIONS_PER_TX, this::writeCompletions, this::later);
    }

    private void later(Runnable action) {
        if (!stopped) {
            vertx.setTimer(500, id -> action.run());
        }
    }

    @Override
    public void start(boolean worker, Set<String> handlerTypes, StoreListener listener) {
        this.listener = listener;
        try {
            PostgresSchema.migrate(pool).await().atMost(START_TIMEOUT);
            heartbeatTimer = vertx.setPeriodic(WRITER_HEARTBEAT_MS, id -> heartbeat());
            if (!worker) {
                return;
            }
            long now = clock.millis();
            String[] types = handlerTypes.stream().sorted().toArray(String[]::new);
            poolSql.query("INSERT INTO tq_handler (type, seen_at) SELECT t, $2 FROM unnest($1::text[]) AS t "
                    + "ON CONFLICT (type) DO UPDATE SET seen_at = excluded.seen_at", types, now).await().atMost(START_TIMEOUT);
            listen().await().atMost(START_TIMEOUT);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot open the TaskQueue PostgreSQL store: " + rootMessage(e), e);
        }
    }

    @Override
    public void stop() {
        stopped = true;
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
        }
        writeLastCompletions();
        PgConnection c = listening;
        listening = null;
        close(c);
        Claimer cl = claimer;
        close(cl == null ? null : cl.connection);
    }

    private static void close(SqlConnection c) {
        if (c != null) {
            c.close().subscribe().with(v -> {
            }, e -> {
            });
        }
    }

    // ---------------------------------------------------------------- wake-ups between nodes

    /** A connection of its own that LISTENs; when it breaks (database restart) it is opened again. */
    private Uni<Void> listen() {
        return pool.getConnection().chain(c -> {
            PgConnection pg = PgConnection.cast(c);
            pg.notificationHandler(n -> {
                if (!node.equals(n.getPayload())) {
                    listener.tasksWaiting();
                }
            });
            pg.closeHandler(() -> {
                if (!stopped && listening == pg) {
                    listening = null;
                    relisten();
                }
            });
            listening = pg;
            return pg.query("LISTEN " + CHANNEL).execute().replaceWithVoid();
        });
    }

    private void relisten() {
        vertx.setTimer(1000, id -> {
            if (stopped) {
                return;
            }
            listen().subscribe().with(v -> {
                LOG.info("TaskQueue: listening for other nodes' tasks again");
                listener.tasksWaiting(); // what was committed meanwhile
            }, e -> {
                LOG.debugf("TaskQueue: cannot LISTEN yet (%s); trying again", rootMessage(e));
                relisten();
            });
        });
    }

    /** Wakes the other nodes when this transaction commits (a NOTIFY is delivered only then). */
    private Uni<Void> notifyOthers(Sql c) {
        return c.query("SELECT pg_notify($1, $2)", CHANNEL, node).replaceWithVoid();
    }

    /** Wakes every node, this one too, when the caller's transaction commits: this node cannot tell when it does. */
    private static Uni<Void> notifyAll(Sql c) {
        return c.query("SELECT pg_notify($1, $2)", CHANNEL, "").replaceWithVoid();
    }

    // ---------------------------------------------------------------- submission

    @Override
    public Uni<ChunkResult> insertChunk(String batchId, List<NewTask> tasks, DuplicateStrategy onDuplicate,
            ChunkReceipt receipt) {
        Finished finished = new Finished();
        return inTransaction(c -> receipted(c, receipt, batchId, as -> writeChunk(c, as, tasks, onDuplicate, finished)
                .call(r -> finished.bookInGroups(c))))
                .invoke(r -> finished.tell(listener));
    }

    /**
     * Writes a chunk with {@code write}, and with a receipt records it under its submission id, or emits the
     * placements recorded before when the chunk was written already. Calls with one id, on any node, take a lock
     * on it for their transaction, so that one writes a chunk and the others find its receipt.
     */
    private Uni<ChunkResult> receipted(Sql c, ChunkReceipt receipt, String batchId,
            Function<String, Uni<ChunkResult>> write) {
        if (receipt == null) {
            return write.apply(batchId);
        }
        String id = receipt.submissionId();
        return c.query("SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) l", id)
                .chain(() -> c.query("DELETE FROM tq_receipt WHERE submission_id = $1 AND EXISTS "
                        + "(SELECT 1 FROM tq_submission WHERE id = $1 AND created_at < $2)", id,
                        receipt.expiredBefore()))
                .chain(() -> c.query("DELETE FROM tq_submission WHERE id = $1 AND created_at < $2", id,
                        receipt.expiredBefore()))
                .chain(() -> c.query("INSERT INTO tq_submission (id, batch_id, task_count, created_at) "
                        + "VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING", id, batchId,
                        SubmissionReceipts.storedCount(receipt.taskCount()), clock.millis()))
                .chain(() -> c.query("SELECT batch_id, task_count FROM tq_submission WHERE id = $1", id))
                .chain(rows -> {
                    String writtenAs = rows.get(0).getString(0);
                    Integer count = SubmissionReceipts.taskCount(rows.get(0).getInteger(1));
                    return c.query("SELECT first_index, last_index, fingerprint, placements FROM tq_receipt "
                            + "WHERE submission_id = $1 AND first_index <= $2 AND last_index >= $3", id,
                            receipt.lastIndex(), receipt.firstIndex())
                            .chain(stored -> {
                                List<SubmissionReceipts.Stored> overlapping = new ArrayList<>(stored.size());
                                for (SqlRow r : stored) {
                                    overlapping.add(new SubmissionReceipts.Stored(r.getInteger(0), r.getInteger(1),
                                            r.getLong(2), r.getString(3)));
                                }
                                List<Placement> before = SubmissionReceipts.replay(receipt, count, overlapping);
                                if (before != null) {
                                    return Uni.createFrom().item(ChunkResult.replayed(before, writtenAs));
                                }
                                return write.apply(writtenAs).call(r -> c.query("INSERT INTO tq_receipt "
                                        + "(submission_id, first_index, last_index, fingerprint, placements) "
                                        + "VALUES ($1, $2, $3, $4, $5)", id, receipt.firstIndex(), receipt.lastIndex(),
                                        receipt.fingerprint(), SubmissionReceipts.encode(r.placements())))
                                        .map(r -> r.withBatchId(writtenAs));
                            });
                });
    }

    @Override
    public Uni<Integer> deleteSubmissions(long createdBefore) {
        return inTransaction(c -> c.query("DELETE FROM tq_receipt r USING tq_submission s "
                + "WHERE r.submission_id = s.id AND s.created_at < $1", createdBefore)
                .chain(() -> c.query("WITH d AS (DELETE FROM tq_submission WHERE created_at < $1 RETURNING 1) "
                        + "SELECT count(*) FROM d", createdBefore))
                .map(rows -> rows.get(0).getInteger(0)));
    }

    @Override
    public Uni<Placement> insertOne(NewTask task) {
        return Uni.createFrom().emitter(emitter -> {
            singles.offer(new PendingInsert(task, emitter));
        });
    }

    /**
     * Writes single submits queued together; one bad row must not fail the others. Without a group to count them
     * in, the insert is their only write, so it runs alone (one round trip, committed by itself); with one, the
     * insert and the count share a transaction.
     */
    private Uni<Void> writeSingles(List<PendingInsert> pending) {
        List<NewTask> tasks = new ArrayList<>(pending.size());
        boolean grouped = false;
        for (int i = 0; i < pending.size(); i++) {
            tasks.add(reindexed(pending.get(i).task, i));
            grouped |= pending.get(i).task.groupId() != null;
        }
        Function<Sql, Uni<ChunkResult>> write = c -> writeChunk(c, null, tasks, DuplicateStrategy.SKIP, new Finished());
        return (grouped ? inTransaction(write) : write.apply(poolSql))
                .onItem().invoke(result -> {
                    for (int i = 0; i < pending.size(); i++) {
                        pending.get(i).emitter.complete(result.placements().get(i));
                    }
                })
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> pending.size() == 1
                        ? Uni.createFrom().voidItem().invoke(() -> pending.get(0).emitter.fail(e))
                        : Uni.join().all(pending.stream().map(this::writeAlone).toList()).andCollectFailures()
                                .replaceWithVoid());
    }

    private Uni<Void> writeAlone(PendingInsert p) {
        return inTransaction(c -> writeChunk(c, null, List.of(reindexed(p.task, 0)), DuplicateStrategy.SKIP,
                new Finished()))
                .onItemOrFailure().invoke((r, f) -> {
                    if (f != null) {
                        p.emitter.fail(f);
                    } else {
                        p.emitter.complete(r.placements().get(0));
                    }
                }).replaceWithVoid().onFailure().recoverWithNull();
    }

    private static NewTask reindexed(NewTask t, int index) {
        return new NewTask(index, t.taskType(), t.payload(), t.dedupKey(), t.groupId(), t.concurrencyKey(),
                t.priority(), t.maxRetries(), t.retryPolicy(), t.timeoutMs(), t.dueAt(), t.name());
    }

    /**
     * Writes one chunk in the transaction of {@code c}: inserts its tasks in one statement, carrying out
     * {@link DedupPlanner}'s decisions for the tasks whose dedup key an active task has (found before the insert
     * to supersede it, after it otherwise), and counts them in their groups. A task that loses its key to another
     * node's insert meanwhile is reported as deduplicated against that node's task.
     */
    private Uni<ChunkResult> writeChunk(Sql c, String batchId, List<NewTask> tasks,
            DuplicateStrategy onDuplicate, Finished finished) {
        return writeChunk(c, batchId, tasks, onDuplicate, finished, false);
    }

    /** @param joined the chunk is written in the caller's transaction, which commits it later */
    private Uni<ChunkResult> writeChunk(Sql c, String batchId, List<NewTask> tasks,
            DuplicateStrategy onDuplicate, Finished finished, boolean joined) {
        long now = clock.millis();
        String[] unstorable = new String[tasks.size()];
        List<NewTask> storable = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            unstorable[i] = unstorableText(tasks.get(i));
            if (unstorable[i] == null) {
                storable.add(tasks.get(i));
            }
        }
        // Only SUPERSEDE must know the active tasks before inserting (to replace them). For SKIP and FAIL the insert
        // itself finds them: ON CONFLICT leaves out the tasks whose key is taken, which are then looked up.
        Uni<Map<String, Active>> findActive = onDuplicate == DuplicateStrategy.SUPERSEDE ? findActive(c, storable, true)
                : Uni.createFrom().item(Map.of());
        return findActive.chain(active -> {
            Placement[] placements = new Placement[tasks.size()];
            List<Integer> toInsert = new ArrayList<>(tasks.size());
            List<Active> superseded = new ArrayList<>();
            Map<String, Integer> keysInChunk = new HashMap<>();
            Map<Integer, TaskId> replacing = new HashMap<>();
            Map<Integer, Integer> skippedForEarlier = new HashMap<>();
            for (int i = 0; i < tasks.size(); i++) {
                NewTask t = tasks.get(i);
                if (unstorable[i] != null) {
                    placements[i] = new Placement(t.index(), Placement.Kind.FAILED, null, null, unstorable[i]);
                    continue;
                }
                String key = t.dedupKey();
                if (key != null) {
                    Active existing = active.get(key);
                    Integer earlier = keysInChunk.get(key);
                    DedupPlanner.Decision decision = DedupPlanner.decide(key, earlier == null ? null : PLACEHOLDER,
                            existing == null ? null : existing.id,
                            existing == null ? null : StateCodes.state(existing.state), onDuplicate);
                    switch (decision.kind()) {
                        case SKIPPED, FAILED -> {
                            if (earlier != null) {
                                skippedForEarlier.put(i, earlier); // placed once the earlier task's id is known
                            } else {
                                placements[i] = new Placement(t.index(), decision.kind(), null, decision.other(),
                                        decision.message());
                            }
                            continue;
                        }
                        case SUPERSEDED -> {
                            superseded.add(existing);
                            replacing.put(i, existing.id);
                        }
                        case INSERTED -> {
                        }
                    }
                    keysInChunk.put(key, i);
                }
                toInsert.add(i);
            }
            // joined: this node cannot tell when the caller commits, so the NOTIFY wakes it too
            String notifyPayload = joined ? "" : node;
            return supersede(c, superseded, now, finished)
                    .chain(running -> insert(c, batchId, tasks, toInsert, now, notifyPayload)
                            .chain(inserted -> placeInserted(c, tasks, toInsert, inserted, replacing, placements,
                                    onDuplicate))
                            .invoke(() -> skippedForEarlier.forEach((i, earlier) -> placements[i] =
                                    new Placement(tasks.get(i).index(), Placement.Kind.SKIPPED, null,
                                            winner(placements[earlier]), null)))
                            .chain(() -> countInGroups(c, tasks, placements, now))
                            .map(v -> chunkResult(tasks, placements, running, now)));
        });
    }

    /** The task that has the key of a placement: the one written, or the active one it was skipped for. */
    private static TaskId winner(Placement p) {
        return p.id() != null ? p.id() : p.other();
    }

    /** Stands for "an earlier task of this chunk" in a {@link DedupPlanner} call; resolved once ids are known. */
    private static final TaskId PLACEHOLDER = new TaskId(0);

    /** PostgreSQL text cannot hold U+0000: such a task fails alone, naming the field. */
    private static String unstorableText(NewTask t) {
        String[][] fields = { { "dedup key", t.dedupKey() }, { "group id", t.groupId() },
                { "concurrency key", t.concurrencyKey() }, { "name", t.name() }, { "payload", t.payload() },
                { "task type", t.taskType() } };
        for (String[] f : fields) {
            if (f[1] != null && f[1].indexOf('\u0000') >= 0) {
                return "the " + f[0] + " contains the character U+0000, which PostgreSQL cannot store";
            }
        }
        return null;
    }

    private Uni<Map<String, Active>> findActive(Sql c, List<NewTask> tasks, boolean lock) {
        Set<String> keys = new HashSet<>();
        for (NewTask t : tasks) {
            if (t.dedupKey() != null) {
                keys.add(t.dedupKey());
            }
        }
        if (keys.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        // locked in id order, as completions and cancelGroup lock tasks: no two of them can wait for each other
        return c.query(FIND_ACTIVE + (lock ? " ORDER BY t.id FOR UPDATE OF t" : ""), (Object) keys.toArray(String[]::new)).map(rows -> {
                    Map<String, Active> active = new HashMap<>();
                    for (SqlRow r : rows) {
                        active.put(r.getString(0), new Active(new TaskId(r.getLong(1)), r.getInteger(2),
                                r.getString(3), r.getString(4)));
                    }
                    return active;
                });
    }

    /** Marks the superseded tasks; emits those of them that were running (they are asked to stop). */
    private Uni<List<TaskId>> supersede(Sql c, List<Active> superseded, long now, Finished finished) {
        if (superseded.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Long[] ids = superseded.stream().map(a -> a.id.value()).toArray(Long[]::new);
        return c.query("UPDATE tq_task SET state = " + SUPERSEDED + ", finished_at = $1, due_at = NULL, "
                + "cancel_requested = (state = " + RUNNING + ") WHERE id = ANY($2::bigint[]) AND " + ACTIVE, now, ids).map(rows -> {
                    List<TaskId> running = new ArrayList<>();
                    for (Active a : superseded) {
                        if (a.state == RUNNING) {
                            running.add(a.id);
                        }
                        finished.add(new Ended(a.id, a.type, TaskState.SUPERSEDED, 0, null), a.groupId);
                    }
                    return running;
                });
    }

    /**
     * One statement for the whole chunk (see {@link #INSERT_TASKS}); emits the id of each task of {@code toInsert},
     * in its order, or null for a task left out because another node's insert took its key meanwhile.
     */
    private static Uni<Long[]> insert(Sql c, String batchId, List<NewTask> tasks, List<Integer> toInsert, long now,
            String notifyPayload) {
        int n = toInsert.size();
        if (n == 0) {
            return Uni.createFrom().item(new Long[0]);
        }
        String[] type = new String[n];
        String[] payload = new String[n];
        Integer[] state = new Integer[n];
        Integer[] priority = new Integer[n];
        String[] dedup = new String[n];
        String[] group = new String[n];
        String[] ckey = new String[n];
        String[] name = new String[n];
        Integer[] maxRetries = new Integer[n];
        String[] retryPolicy = new String[n];
        Long[] timeout = new Long[n];
        Long[] due = new Long[n];
        Long[] runAt = new Long[n];
        for (int j = 0; j < n; j++) {
            NewTask t = tasks.get(toInsert.get(j));
            boolean delayed = t.dueAt() > now;
            type[j] = t.taskType();
            payload[j] = t.payload();
            state[j] = delayed ? SCHEDULED : QUEUED;
            priority[j] = t.priority();
            dedup[j] = t.dedupKey();
            group[j] = t.groupId();
            ckey[j] = t.concurrencyKey();
            name[j] = t.name();
            maxRetries[j] = t.maxRetries();
            retryPolicy[j] = t.retryPolicy();
            timeout[j] = t.timeoutMs();
            due[j] = delayed ? t.dueAt() : null;
            runAt[j] = delayed ? t.dueAt() : now;
        }
        return c.query(INSERT_TASKS, type, payload, state, priority, dedup, group, ckey, name, maxRetries,
                retryPolicy, timeout, due, runAt, batchId, now, CHANNEL, notifyPayload)
                .map(rows -> {
                    long[] ids = new long[rows.size()];
                    Set<String> keysInserted = new HashSet<>();
                    for (int r = 0; r < ids.length; r++) {
                        ids[r] = rows.get(r).getLong(0);
                        if (rows.get(r).getString(1) != null) {
                            keysInserted.add(rows.get(r).getString(1));
                        }
                    }
                    // the ids rise with the order of the tasks, and only a task with a key can be left out
                    Arrays.sort(ids);
                    Long[] placed = new Long[n];
                    int next = 0;
                    for (int j = 0; j < n; j++) {
                        String key = dedup[j];
                        placed[j] = key != null && !keysInserted.contains(key) ? null : ids[next++];
                    }
                    return placed;
                });
    }

    /** Fills in the placements of the tasks inserted, and of those that lost their key to another node. */
    private static Uni<Void> placeInserted(Sql c, List<NewTask> tasks, List<Integer> toInsert, Long[] ids,
            Map<Integer, TaskId> replacing, Placement[] placements, DuplicateStrategy onDuplicate) {
        List<Integer> lost = new ArrayList<>();
        for (int j = 0; j < toInsert.size(); j++) {
            int i = toInsert.get(j);
            NewTask t = tasks.get(i);
            if (ids[j] == null) {
                lost.add(i);
                continue;
            }
            TaskId replaced = replacing.get(i);
            placements[i] = new Placement(t.index(), replaced == null ? Placement.Kind.INSERTED : Placement.Kind.SUPERSEDED,
                    new TaskId(ids[j]), replaced, null);
        }
        if (lost.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] keys = lost.stream().map(i -> tasks.get(i).dedupKey()).toArray(String[]::new);
        return c.query(FIND_ACTIVE, (Object) keys).map(rows -> {
            Map<String, Active> winners = new HashMap<>();
            for (SqlRow r : rows) {
                winners.put(r.getString(0), new Active(new TaskId(r.getLong(1)), r.getInteger(2), r.getString(3),
                        r.getString(4)));
            }
            DuplicateStrategy strategy = onDuplicate == DuplicateStrategy.SUPERSEDE ? DuplicateStrategy.SKIP : onDuplicate;
            for (int i : lost) {
                NewTask t = tasks.get(i);
                Active w = winners.get(t.dedupKey());
                DedupPlanner.Decision d = DedupPlanner.decide(t.dedupKey(), null, w == null ? null : w.id,
                        w == null ? null : StateCodes.state(w.state), strategy);
                placements[i] = d.kind() == Placement.Kind.INSERTED
                        ? new Placement(t.index(), Placement.Kind.SKIPPED, null, null, null)
                        : new Placement(t.index(), d.kind(), null, d.other(), d.message());
            }
            return null;
        }).replaceWithVoid();
    }

    private static Uni<Void> countInGroups(Sql c, List<NewTask> tasks, Placement[] placements, long now) {
        Map<String, Integer> adds = new TreeMap<>();
        for (int i = 0; i < placements.length; i++) {
            if (placements[i].id() != null && tasks.get(i).groupId() != null) {
                adds.merge(tasks.get(i).groupId(), 1, Integer::sum);
            }
        }
        if (adds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return c.query("INSERT INTO tq_group (id, created_at, active) SELECT g, $3, n "
                + "FROM unnest($1::text[], $2::int[]) AS u(g, n) ORDER BY g "
                + "ON CONFLICT (id) DO UPDATE SET active = tq_group.active + excluded.active, completed = false", adds.keySet().toArray(String[]::new), adds.values().toArray(Integer[]::new), now)
                .replaceWithVoid();
    }

    private static ChunkResult chunkResult(List<NewTask> tasks, Placement[] placements, List<TaskId> running, long now) {
        long earliestDue = 0;
        for (int i = 0; i < placements.length; i++) {
            long due = tasks.get(i).dueAt();
            if (placements[i].id() != null && due > now && (earliestDue == 0 || due < earliestDue)) {
                earliestDue = due;
            }
        }
        return new ChunkResult(List.of(placements), running, earliestDue);
    }

    // ---------------------------------------------------------------- groups

    @Override
    public Uni<Void> openGroups(Set<String> groupIds) {
        return inTransaction(c -> openGroups(c, groupIds));
    }

    private Uni<Void> openGroups(Sql c, Set<String> groupIds) {
        String[] ids = new TreeSet<>(groupIds).toArray(String[]::new);
        long now = clock.millis();
        return c.query("INSERT INTO tq_group (id, created_at, open_submissions) "
                + "SELECT g, $2, 1 FROM unnest($1::text[]) AS g ORDER BY g "
                + "ON CONFLICT (id) DO UPDATE SET open_submissions = tq_group.open_submissions + 1", ids, now)
                .chain(() -> c.query("INSERT INTO tq_group_writer (group_id, owner, open, seen_at) "
                        + "SELECT g, $2, 1, $3 FROM unnest($1::text[]) AS g ORDER BY g ON CONFLICT (group_id, owner) "
                        + "DO UPDATE SET open = tq_group_writer.open + 1, seen_at = excluded.seen_at", ids, node, now))
                .replaceWithVoid();
    }

    @Override
    public Uni<Void> closeGroups(Set<String> groupIds) {
        Finished finished = new Finished();
        return inTransaction(c -> closeGroups(c, groupIds, finished)).invoke(() -> finished.tell(listener));
    }

    private Uni<Void> closeGroups(Sql c, Set<String> groupIds, Finished finished) {
        String[] ids = new TreeSet<>(groupIds).toArray(String[]::new);
        groupIds.forEach(g -> finished.groups.put(g, 0));
        return lockGroups(c, ids)
                .chain(() -> c.query("UPDATE tq_group SET open_submissions = greatest(open_submissions - 1, 0) "
                        + "WHERE id = ANY($1::text[])", (Object) ids))
                .chain(() -> c.query("UPDATE tq_group_writer SET open = open - 1 "
                        + "WHERE group_id = ANY($1::text[]) AND owner = $2", ids, node))
                .chain(() -> c.query("DELETE FROM tq_group_writer WHERE owner = $1 AND open <= 0", node))
                .chain(() -> finished.bookInGroups(c));
    }

    // ---------------------------------------------------------------- in the caller's transaction

    @Override
    public TaskWrites joining(CallerTransaction tx) {
        return tx instanceof Sql sql ? new JoinedWrites(sql) : this;
    }

    /**
     * A submission's writes in the caller's transaction: the same statements, none of them committed here. What
     * the listener is told (superseded tasks, groups) is told when the statements ran, as the caller may still
     * roll back; the NOTIFY, delivered only on commit, wakes every node, this one included.
     */
    private final class JoinedWrites implements TaskWrites {
        private final Sql tx;

        JoinedWrites(Sql tx) {
            this.tx = tx;
        }

        @Override
        public Uni<ChunkResult> insertChunk(String batchId, List<NewTask> tasks, DuplicateStrategy onDuplicate,
                ChunkReceipt receipt) {
            Finished finished = new Finished();
            return receipted(tx, receipt, batchId, as -> writeChunk(tx, as, tasks, onDuplicate, finished, true)
                    .call(r -> finished.bookInGroups(tx)))
                    .invoke(r -> finished.tell(listener));
        }

        @Override
        public Uni<Placement> insertOne(NewTask task) {
            return insertChunk(null, List.of(reindexed(task, 0)), DuplicateStrategy.SKIP)
                    .map(r -> r.placements().get(0));
        }

        @Override
        public Uni<Void> openGroups(Set<String> groupIds) {
            return PostgresTaskStore.this.openGroups(tx, groupIds);
        }

        @Override
        public Uni<Void> closeGroups(Set<String> groupIds) {
            Finished finished = new Finished();
            return PostgresTaskStore.this.closeGroups(tx, groupIds, finished).invoke(() -> finished.tell(listener));
        }
    }

    /** Locks group rows in one order, so that transactions of several nodes counting in them cannot deadlock. */
    private static Uni<Map<String, Boolean>> lockGroups(Sql c, String[] sortedIds) {
        return c.query("SELECT id, completed FROM tq_group WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE", (Object) sortedIds).map(rows -> {
                    Map<String, Boolean> completed = new HashMap<>();
                    for (SqlRow r : rows) {
                        completed.put(r.getString(0), r.getBoolean(1));
                    }
                    return completed;
                });
    }

    /**
     * Lowers each group's count of active tasks by the number given; emits the summaries of the groups this
     * transaction completes. A group completes once: when its row is locked, no other node can complete it too.
     */
    private static Uni<List<GroupSummary>> finishInGroups(Sql c, Map<String, Integer> finishedByGroup) {
        if (finishedByGroup.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        TreeMap<String, Integer> sorted = new TreeMap<>(finishedByGroup);
        String[] ids = sorted.keySet().toArray(String[]::new);
        Integer[] counts = sorted.values().toArray(Integer[]::new);
        return lockGroups(c, ids).chain(wasCompleted -> c.query("UPDATE tq_group g SET active = g.active - u.n, "
                + "completed = g.completed OR (g.active - u.n <= 0 AND g.open_submissions <= 0) "
                + "FROM unnest($1::text[], $2::int[]) AS u(id, n) WHERE g.id = u.id RETURNING g.id, g.completed", ids, counts).chain(rows -> {
                    List<String> completed = new ArrayList<>();
                    for (SqlRow r : rows) {
                        if (r.getBoolean(1) && !wasCompleted.getOrDefault(r.getString(0), false)) {
                            completed.add(r.getString(0));
                        }
                    }
                    return releaseCallbacks(c, completed).chain(() -> summaries(c, completed));
                }));
    }

    private static Uni<List<GroupSummary>> summaries(Sql c, List<String> groupIds) {
        if (groupIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return c.query("SELECT group_id, state, count(*) FROM tq_task WHERE group_id = ANY($1::text[]) "
                + "GROUP BY group_id, state", (Object) groupIds.toArray(String[]::new)).map(rows -> {
                    Map<String, GroupCounts> counts = new LinkedHashMap<>();
                    groupIds.forEach(g -> counts.put(g, new GroupCounts()));
                    for (SqlRow r : rows) {
                        counts.get(r.getString(0)).add(StateCodes.state(r.getInteger(1)), r.getLong(2).intValue());
                    }
                    List<GroupSummary> summaries = new ArrayList<>(counts.size());
                    counts.forEach((g, n) -> summaries.add(n.summary(g)));
                    return summaries;
                });
    }

    /** Keeps this node's group writers alive; a writer silent for {@value #WRITER_DEAD_AFTER_MS} ms is released. */
    private void heartbeat() {
        poolSql.query("UPDATE tq_group_writer SET seen_at = $1 WHERE owner = $2", clock.millis(), node)
                .subscribe().with(r -> {
                }, e -> LOG.debugf("TaskQueue: group writer heartbeat failed: %s", rootMessage(e)));
    }

    /**
     * Closes the groups whose writer died: a process of this host that is gone, or any node whose heartbeat
     * stopped. Adds them to {@code finished} so that their completion is checked.
     */
    private Uni<Void> releaseGroupsOfDeadWriters(Sql c, long now, Finished finished) {
        return c.query("SELECT DISTINCT owner FROM tq_group_writer").chain(rows -> {
            List<String> dead = new ArrayList<>();
            for (SqlRow r : rows) {
                if (Owner.isDeadLocalProcess(r.getString(0))) {
                    dead.add(r.getString(0));
                }
            }
            return c.query("DELETE FROM tq_group_writer WHERE owner <> $3 AND (owner = ANY($1::text[]) "
                    + "OR seen_at < $2) RETURNING group_id, open", dead.toArray(String[]::new), now - WRITER_DEAD_AFTER_MS, node);
        }).chain(released -> {
            Map<String, Integer> open = new TreeMap<>();
            for (SqlRow r : released) {
                open.merge(r.getString(0), r.getInteger(1), Integer::sum);
            }
            if (open.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            open.keySet().forEach(g -> finished.groups.merge(g, 0, Integer::sum));
            String[] ids = open.keySet().toArray(String[]::new);
            return lockGroups(c, ids).chain(() -> c.query("UPDATE tq_group g SET open_submissions = "
                    + "greatest(g.open_submissions - u.n, 0) FROM unnest($1::text[], $2::int[]) AS u(id, n) "
                    + "WHERE g.id = u.id", ids, open.values().toArray(Integer[]::new)))
                    .replaceWithVoid();
        });
    }

    // ---------------------------------------------------------------- dispatch

    /**
     * Writes the queued completions and claims in ONE transaction, as the SQLite store does: a drain then costs one
     * commit per round trip instead of two.
     */
    @Override
    public Uni<List<ClaimedTask>> claim(ClaimBudget budget, String owner, long leaseMillis) {
        return Uni.createFrom().deferred(() -> {
            List<Completion> batch = completions.acquire();
            int slots = budget.reserveSlots();
            if (slots <= 0 && (batch == null || batch.isEmpty())) {
                if (batch != null) {
                    completions.written();
                }
                return Uni.createFrom().item(List.<ClaimedTask> of());
            }
            Map<String, Integer> capacity = new HashMap<>(budget.keyCapacity());
            long now = clock.millis();
            List<Completion> applied = new ArrayList<>();
            List<GroupSummary> completedGroups = new ArrayList<>();
            boolean completing = batch != null && !batch.isEmpty();
            Uni<List<ClaimedTask>> work = !completing && capacity.isEmpty()
                    ? claimAlone(slots, owner, now, leaseMillis)
                    : dispatchTransaction(c -> (!completing ? Uni.createFrom().voidItem()
                            : writeCompletions(c, batch, applied).invoke(completedGroups::addAll).replaceWithVoid())
                            .chain(() -> slots <= 0 ? Uni.createFrom().item(List.<ClaimedTask> of())
                                    : capacity.isEmpty()
                                            ? c.query(CLAIM, slots, now, now + leaseMillis, owner,
                                                    new String[0]).map(rows -> claimed(rows, owner))
                                            : claimWithinLimits(c, slots, capacity, owner, now, leaseMillis,
                                                    new ArrayList<>(), 0)));
            return work.onTermination().invoke((claimed, failure, cancelled) -> {
                        boolean ok = failure == null && !cancelled;
                        budget.releaseSlots(ok ? slots - claimed.size() : slots);
                        if (batch == null) {
                            return;
                        }
                        if (ok) {
                            completed(applied, completedGroups);
                            completions.written();
                        } else {
                            completions.failed(batch, failure != null ? failure
                                    : new IllegalStateException("claim cancelled"));
                        }
                    });
        });
    }

    /**
     * A claim without completions or concurrency limits is one statement: it runs by itself, prepared once on a
     * connection the dispatcher keeps, whose session has the settings of {@link #dispatchTransaction}. That is one
     * round trip and no planning, against four round trips on a pooled connection (an idle queue's latency is
     * mostly round trips). Only the dispatcher claims, one claim at a time, so the connection is never shared.
     */
    private Uni<List<ClaimedTask>> claimAlone(int slots, String owner, long now, long leaseMillis) {
        return claimer().chain(c -> c.claim.query().execute(Tuple.of(slots, now, now + leaseMillis, owner, new String[0]))
                .ifNoItem().after(DISPATCH_TIMEOUT).failWith(() -> dispatchTimedOut())
                .onFailure().invoke(e -> {
                    claimer = null; // a broken or stuck connection is not tried again
                    close(c.connection);
                }))
                .map(rows -> claimed(Sql.rows(rows), owner));
    }

    /** The dispatcher's own connection and its prepared claim. */
    private record Claimer(SqlConnection connection, PreparedStatement claim) {
    }

    private Uni<Claimer> claimer() {
        Claimer open = claimer;
        if (open != null) {
            return Uni.createFrom().item(open);
        }
        return pool.getConnection().chain(c -> c.query(DISPATCH_SETTINGS.replace("SET LOCAL", "SET")).execute()
                .chain(() -> c.prepare(CLAIM))
                .map(ps -> new Claimer(c, ps))
                .onFailure().call(c::close))
                .invoke(cl -> {
                    cl.connection.closeHandler(() -> {
                        if (claimer == cl) {
                            claimer = null;
                        }
                    });
                    claimer = cl;
                });
    }

    /**
     * A transaction of the dispatch (claims, completions) that does not wait for its commit to reach the disk: a
     * crash of the database may lose the last ones, which only makes their tasks run again (at-least-once), and
     * the drain does not wait for an fsync per round trip. Submissions keep the database's durability.
     */
    private <T> Uni<T> dispatchTransaction(Function<Sql, Uni<T>> work) {
        // The planner, misled by a table that grew or was emptied since its last ANALYZE, joined a batch of
        // completions against a scan of the whole table (seen: 30 ms for 60 rows, minutes for a backlog): the
        // dispatch's statements touch rows by primary key, so only a nested loop over the batch makes sense.
        return inTransaction(c -> c.query(DISPATCH_SETTINGS).chain(() -> work.apply(c)))
                .ifNoItem().after(DISPATCH_TIMEOUT).failWith(() -> dispatchTimedOut());
    }

    private static final String DISPATCH_SETTINGS = "SET LOCAL synchronous_commit = off; "
            + "SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off";

    private static IllegalStateException dispatchTimedOut() {
        return new IllegalStateException("a claim or completion transaction did not answer within "
                + DISPATCH_TIMEOUT.toSeconds() + " s; the dispatcher tries again (a completion applies once; claimed "
                + "tasks come back when their lease expires)");
    }

    private <T> Uni<T> inTransaction(Function<Sql, Uni<T>> work) {
        return pool.withTransaction(conn -> work.apply(Sql.of(conn)));
    }

    /**
     * Claims within the free capacity of the limited keys: keys with none left are excluded in SQL; of the
     * candidates found, only as many of a key as it has room for are taken. The rounds end when the slots are
     * filled or the queue has nothing more that fits.
     */
    private Uni<List<ClaimedTask>> claimWithinLimits(Sql c, int slots, Map<String, Integer> capacity,
            String owner, long now, long leaseMillis, List<ClaimedTask> taken, int round) {
        int wanted = slots - taken.size();
        int limit = wanted + 256;
        String[] full = capacity.entrySet().stream().filter(e -> e.getValue() <= 0).map(Map.Entry::getKey)
                .toArray(String[]::new);
        return c.query(CANDIDATES, limit, full).chain(rows -> {
            List<Long> picked = new ArrayList<>();
            for (SqlRow r : rows) {
                if (picked.size() == wanted) {
                    break;
                }
                String key = r.getString(1);
                Integer free = key == null ? null : capacity.get(key);
                if (free != null) {
                    if (free <= 0) {
                        continue;
                    }
                    capacity.put(key, free - 1);
                }
                picked.add(r.getLong(0));
            }
            boolean more = rows.size() == limit;
            if (picked.isEmpty()) {
                return Uni.createFrom().item(taken);
            }
            return c.query(CLAIM_IDS, picked.toArray(Long[]::new), now, now + leaseMillis,
                    owner).chain(claimed -> {
                        taken.addAll(claimed(claimed, owner));
                        if (taken.size() < slots && more && round < 8) {
                            return claimWithinLimits(c, slots, capacity, owner, now, leaseMillis, taken, round + 1);
                        }
                        return Uni.createFrom().item(taken);
                    });
        }).map(list -> {
            list.sort(CLAIM_ORDER);
            return list;
        });
    }

    private static final java.util.Comparator<ClaimedTask> CLAIM_ORDER = java.util.Comparator
            .comparingInt(ClaimedTask::priority).reversed().thenComparing(t -> t.id().value());

    private static List<ClaimedTask> claimed(List<SqlRow> rows, String owner) {
        List<ClaimedTask> claimed = new ArrayList<>(rows.size());
        for (SqlRow r : rows) {
            claimed.add(new ClaimedTask(new TaskId(r.getLong(0)), r.getString(1), r.getString(2), r.getInteger(3),
                    r.getInteger(4), r.getString(5), r.getString(6), r.getInteger(7), r.getString(8), r.getLong(9),
                    owner));
        }
        return claimed;
    }

    @Override
    public void complete(Completion completion) {
        completions.offer(completion);
    }

    /** Writes queued completions in their own transaction (when no claim is due to take them). */
    private Uni<Void> writeCompletions(List<Completion> batch) {
        List<Completion> applied = new ArrayList<>(batch.size());
        return dispatchTransaction(c -> writeCompletions(c, batch, applied))
                .invoke(completedGroups -> completed(applied, completedGroups)).replaceWithVoid();
    }

    private void writeLastCompletions() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            List<Completion> batch = completions.acquire();
            if (batch == null) { // a write runs: it ends within the dispatch timeout
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            if (batch.isEmpty()) {
                completions.written();
                return;
            }
            try {
                writeCompletions(batch).await().atMost(Duration.ofSeconds(10));
                completions.written();
            } catch (RuntimeException e) {
                completions.failed(batch, e);
                LOG.warnf("Could not record the last task completions at shutdown (%s): their tasks run again once their leases expire", rootMessage(e));
                return;
            }
        }
    }

    /** Tells the listener what was committed; its failure must not count as the write's. */
    private void completed(List<Completion> applied, List<GroupSummary> completedGroups) {
        try {
            listener.completed(applied, completedGroups);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Handling %d committed task completions failed", applied.size());
        }
    }

    private Uni<List<GroupSummary>> writeCompletions(Sql c, List<Completion> queued, List<Completion> applied) {
        // rows are locked in id order, as every other transaction that locks several tasks does (cancelGroup):
        // in completion order, a completion and a group's cancel could each wait for the other (deadlock)
        List<Completion> batch = new ArrayList<>(queued);
        batch.sort(java.util.Comparator.comparingLong(k -> k.id().value()));
        long now = clock.millis();
        int n = batch.size();
        Long[] id = new Long[n];
        Integer[] state = new Integer[n];
        Long[] finishedAt = new Long[n];
        String[] result = new String[n];
        String[] error = new String[n];
        String[] errorClass = new String[n];
        String[] errorTrace = new String[n];
        Long[] due = new Long[n];
        Long[] runAt = new Long[n];
        String[] owner = new String[n];
        Integer[] attempt = new Integer[n];
        for (int i = 0; i < n; i++) {
            Completion k = batch.get(i);
            boolean retry = k.state() == TaskState.RETRYING;
            id[i] = k.id().value();
            state[i] = StateCodes.code(k.state());
            finishedAt[i] = retry ? null : now;
            result[i] = withoutNul(k.result());
            error[i] = withoutNul(k.error());
            errorClass[i] = k.errorClass();
            errorTrace[i] = withoutNul(k.errorTrace());
            due[i] = retry && k.dueAt() > now ? k.dueAt() : null;
            runAt[i] = retry ? Math.max(now, k.dueAt()) : null;
            owner[i] = k.task().owner();
            attempt[i] = k.task().attempt();
        }
        return c.query(COMPLETE, id, state, finishedAt, result, error, errorClass,
                errorTrace, due, runAt, owner, attempt).chain(rows -> {
                    Set<Long> written = new HashSet<>(rows.size() * 2);
                    for (SqlRow r : rows) {
                        written.add(r.getLong(0));
                    }
                    Map<String, Integer> finishedGroups = new HashMap<>();
                    for (Completion k : batch) {
                        if (written.contains(k.id().value())) {
                            applied.add(k);
                            if (k.state() != TaskState.RETRYING && k.task().groupId() != null) {
                                finishedGroups.merge(k.task().groupId(), 1, Integer::sum);
                            }
                        }
                    }
                    return finishInGroups(c, finishedGroups);
                });
    }

    /** A handler's result or error with U+0000 would fail the whole batch of completions: it is dropped. */
    private static String withoutNul(String s) {
        return s == null || s.indexOf('\u0000') < 0 ? s : s.replace("\u0000", "");
    }

    @Override
    public Uni<Long> promoteDue() {
        long now = clock.millis();
        return poolSql.query("WITH due AS (UPDATE tq_task SET state = CASE WHEN state = " + SCHEDULED + " THEN "
                + QUEUED + " ELSE state END, due_at = NULL WHERE due_at IS NOT NULL AND due_at <= $1 RETURNING 1) "
                + "SELECT coalesce(min(due_at), 0) FROM tq_task WHERE due_at IS NOT NULL AND due_at > $1", now).map(rows -> rows.get(0).getLong(0));
    }

    @Override
    public Uni<List<TaskId>> renewLeases(List<TaskId> running, String owner, long leaseMillis) {
        if (running.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return poolSql.query("UPDATE tq_task SET lease_until = $1 WHERE id = ANY($2::bigint[]) AND state = "
                + RUNNING + " AND owner = $3 RETURNING id, cancel_requested", clock.millis() + leaseMillis, ids(running), owner).map(rows -> {
                    Set<TaskId> renewed = new HashSet<>();
                    List<TaskId> stop = new ArrayList<>();
                    for (SqlRow r : rows) {
                        TaskId id = new TaskId(r.getLong(0));
                        renewed.add(id);
                        if (r.getBoolean(1)) {
                            stop.add(id);
                        }
                    }
                    for (TaskId id : running) {
                        if (!renewed.contains(id)) {
                            stop.add(id);
                        }
                    }
                    return stop;
                });
    }

    @Override
    public Uni<Integer> recoverExpiredLeases() {
        Finished finished = new Finished();
        long now = clock.millis();
        return inTransaction(c -> c.query("SELECT DISTINCT owner FROM tq_task WHERE state = " + RUNNING).chain(owners -> {
                    List<String> dead = new ArrayList<>();
                    for (SqlRow r : owners) {
                        if (Owner.isDeadLocalProcess(r.getString(0))) {
                            dead.add(r.getString(0));
                        }
                    }
                    // leases of a dead process of this host are over now, not when they run out
                    return c.query("SELECT " + RESCUE_COLUMNS + " FROM tq_task WHERE state = " + RUNNING
                            + " AND (lease_until < $1 OR owner = ANY($2::text[])) FOR UPDATE SKIP LOCKED", now, dead.toArray(String[]::new));
                })
                .chain(rows -> rescue(c, rows, false, now, finished))
                .call(() -> releaseGroupsOfDeadWriters(c, now, finished))
                .call(() -> finished.bookInGroups(c)))
                .invoke(requeued -> {
                    finished.tell(listener);
                    if (requeued + finished.tasks.size() > 0) {
                        LOG.infof("Recovered %d task(s) whose node stopped while running them (%d queued again, "
                                + "%d ended)", requeued + finished.tasks.size(), requeued, finished.tasks.size());
                    }
                });
    }

    @Override
    public Uni<Void> release(List<TaskId> running) {
        if (running.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Finished finished = new Finished();
        return inTransaction(c -> c.query("SELECT " + RESCUE_COLUMNS + " FROM tq_task WHERE "
                + "id = ANY($1::bigint[]) AND state = " + RUNNING + " FOR UPDATE", (Object) ids(running))
                .chain(rows -> rescue(c, rows, true, clock.millis(), finished))
                .call(() -> finished.bookInGroups(c)))
                .invoke(() -> finished.tell(listener)).replaceWithVoid();
    }

    /**
     * Takes back running tasks as {@link LeaseRescue} decides: queued again (the other nodes are woken), or
     * ended. {@code released}: this node's shutdown gives them back, so the attempt does not count. Emits how
     * many were queued again.
     */
    private Uni<Integer> rescue(Sql c, List<SqlRow> rows, boolean released, long now, Finished finished) {
        List<Long> retry = new ArrayList<>();
        List<Long> cancel = new ArrayList<>();
        List<Long> fail = new ArrayList<>();
        for (SqlRow r : rows) {
            TaskId id = new TaskId(r.getLong(0));
            boolean cancelRequested = r.getBoolean(4);
            LeaseRescue.Outcome outcome = released ? LeaseRescue.released(cancelRequested)
                    : LeaseRescue.expired(r.getInteger(2), r.getInteger(3), cancelRequested);
            if (outcome == LeaseRescue.Outcome.RETRY) {
                retry.add(id.value());
                continue;
            }
            boolean failed = outcome == LeaseRescue.Outcome.FAIL;
            (failed ? fail : cancel).add(id.value());
            finished.add(new Ended(id, r.getString(1), failed ? TaskState.FAILED : TaskState.CANCELLED, r.getInteger(2),
                    failed ? LeaseRescue.LEASE_EXPIRED : null), r.getString(5));
        }
        Uni<Void> requeue = retry.isEmpty() ? Uni.createFrom().voidItem()
                : c.query("UPDATE tq_task SET state = " + QUEUED + ", lease_until = NULL, owner = NULL"
                        + (released ? ", attempts = attempts - 1, started_at = NULL" : "")
                        + " WHERE id = ANY($1::bigint[]) AND state = " + RUNNING, (Object) retry.toArray(Long[]::new)).chain(() -> notifyOthers(c));
        return requeue.chain(() -> endRunning(c, cancel, CANCELLED, null, now))
                .chain(() -> endRunning(c, fail, FAILED, LeaseRescue.LEASE_EXPIRED, now))
                .map(v -> retry.size());
    }

    private static Uni<Void> endRunning(Sql c, List<Long> ids, int state, String error, long now) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return c.query("UPDATE tq_task SET state = $1, error = coalesce($2, error), finished_at = $3, "
                + "lease_until = NULL, owner = NULL WHERE id = ANY($4::bigint[]) AND state = " + RUNNING, state, error, now, ids.toArray(Long[]::new)).replaceWithVoid();
    }

    // ---------------------------------------------------------------- cancellation

    @Override
    public Uni<CancelResult> cancel(TaskId id) {
        Finished finished = new Finished();
        return inTransaction(c -> c.query("SELECT state, group_id, type, attempts FROM tq_task "
                + "WHERE id = $1 FOR UPDATE", id.value()).chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(CancelResult.NOT_FOUND);
                    }
                    SqlRow r = rows.get(0);
                    CancelResult decision = CancelResult.of(StateCodes.state(r.getInteger(0)));
                    if (decision == CancelResult.REQUESTED) {
                        return c.query("UPDATE tq_task SET cancel_requested = true WHERE id = $1", id.value()).map(x -> decision);
                    }
                    if (decision != CancelResult.CANCELLED) {
                        return Uni.createFrom().item(decision);
                    }
                    finished.add(new Ended(id, r.getString(2), TaskState.CANCELLED, r.getInteger(3), null),
                            r.getString(1));
                    return cancelWaiting(c, List.of(id.value())).call(() -> finished.bookInGroups(c))
                            .map(x -> decision);
                }))
                .invoke(() -> finished.tell(listener));
    }

    private Uni<Void> cancelWaiting(Sql c, List<Long> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return c.query("UPDATE tq_task SET state = " + CANCELLED + ", finished_at = $1, due_at = NULL "
                + "WHERE id = ANY($2::bigint[]) AND " + ACTIVE + " AND state <> " + RUNNING, clock.millis(), ids.toArray(Long[]::new)).replaceWithVoid();
    }

    @Override
    public Uni<GroupCancel> cancelGroup(String groupId) {
        Finished finished = new Finished();
        return inTransaction(c -> c.query("SELECT id, state, type FROM tq_task WHERE group_id = $1 "
                + "AND " + ACTIVE + " ORDER BY id FOR UPDATE", groupId).chain(rows -> {
                    List<Long> waiting = new ArrayList<>();
                    List<TaskId> running = new ArrayList<>();
                    Map<TaskId, String> cancelled = new LinkedHashMap<>();
                    for (SqlRow r : rows) {
                        TaskId id = new TaskId(r.getLong(0));
                        if (r.getInteger(1) == RUNNING) {
                            running.add(id);
                        } else {
                            waiting.add(id.value());
                            cancelled.put(id, r.getString(2));
                            finished.tasks.add(new Ended(id, r.getString(2), TaskState.CANCELLED, 0, null));
                        }
                    }
                    finished.groups.put(groupId, waiting.size());
                    Uni<Void> flag = running.isEmpty() ? Uni.createFrom().voidItem()
                            : c.query("UPDATE tq_task SET cancel_requested = true WHERE id = ANY($1::bigint[])", (Object) ids(running)).replaceWithVoid();
                    return cancelWaiting(c, waiting).chain(() -> flag).call(() -> finished.bookInGroups(c))
                            .map(x -> new GroupCancel(cancelled, running));
                }))
                .invoke(() -> finished.tell(listener));
    }

    @Override
    public Uni<Boolean> retry(TaskId id) {
        return inTransaction(c -> c.query("SELECT state, group_id, dedup_key FROM tq_task WHERE id = $1 FOR UPDATE",
                id.value()).chain(rows -> {
                    if (rows.size() == 0 || (rows.get(0).getInteger(0) != FAILED && rows.get(0).getInteger(0) != CANCELLED)) {
                        return Uni.createFrom().item(false);
                    }
                    String group = rows.get(0).getString(1);
                    String key = rows.get(0).getString(2);
                    Uni<Void> keyFree = key == null ? Uni.createFrom().voidItem()
                            : c.query("SELECT id FROM tq_task WHERE dedup_key = $1 AND " + ACTIVE, key).map(holders -> {
                                if (holders.size() > 0) {
                                    throw RetryConflict.of(id, key, new TaskId(holders.get(0).getLong(0)));
                                }
                                return null;
                            }).replaceWithVoid();
                    long now = clock.millis();
                    return keyFree.chain(() -> c.query(REQUEUE, now, id.value()))
                            .chain(() -> group == null ? Uni.createFrom().voidItem()
                                    : c.query("INSERT INTO tq_group (id, created_at, active) VALUES ($1, $2, 1) "
                                            + "ON CONFLICT (id) DO UPDATE SET active = tq_group.active + 1, "
                                            + "completed = false", group, now).replaceWithVoid())
                            .chain(() -> notifyOthers(c))
                            .map(x -> true);
                }));
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Uni<TaskInfo> info(TaskId id) {
        return poolSql.query("SELECT " + INFO_COLUMNS + " FROM tq_task WHERE id = $1", id.value())
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    return taskInfo(rows.get(0));
                });
    }

    /** A row of {@link #INFO_COLUMNS}. */
    private static TaskInfo taskInfo(SqlRow r) {
        return new TaskInfo(new TaskId(r.getLong(0)), r.getString(1), StateCodes.state(r.getInteger(2)),
                r.getInteger(3), r.getInteger(4), r.getString(5), r.getString(6), r.getString(7),
                r.getString(8), instant(r, 9), instant(r, 10), instant(r, 11), instant(r, 12),
                r.getString(13), r.getString(14), r.getString(15));
    }

    @Override
    public Uni<TaskResult> result(TaskId id) {
        return results(List.of(id)).map(list -> list.isEmpty() ? null : list.get(0));
    }

    @Override
    public Uni<List<TaskResult>> results(List<TaskId> ids) {
        return poolSql.query("SELECT id, state, result, error, attempts FROM tq_task WHERE id = ANY($1::bigint[])", (Object) ids(ids)).map(rows -> {
                    Map<Long, TaskResult> found = new HashMap<>();
                    for (SqlRow r : rows) {
                        TaskId id = new TaskId(r.getLong(0));
                        TaskState state = StateCodes.state(r.getInteger(1));
                        String error = state == TaskState.SUCCEEDED ? null : r.getString(3);
                        found.put(id.value(), new TaskResult(id, state, r.getString(2), error, r.getInteger(4)));
                    }
                    List<TaskResult> ordered = new ArrayList<>(found.size());
                    for (TaskId id : ids) {
                        TaskResult r = found.get(id.value());
                        if (r != null) {
                            ordered.add(r);
                        }
                    }
                    return ordered;
                });
    }

    @Override
    public Uni<GroupSummary> groupSummary(String groupId) {
        return poolSql.query("SELECT state, count(*) FROM tq_task WHERE group_id = $1 GROUP BY state", groupId).chain(rows -> {
                    GroupCounts counts = new GroupCounts();
                    for (SqlRow r : rows) {
                        counts.add(StateCodes.state(r.getInteger(0)), r.getLong(1).intValue());
                    }
                    if (!counts.isEmpty()) {
                        return Uni.createFrom().item(counts.summary(groupId));
                    }
                    return poolSql.query("SELECT 1 FROM tq_group WHERE id = $1", groupId)
                            .map(found -> found.size() == 0 ? null : counts.summary(groupId));
                });
    }

    @Override
    public Uni<Boolean> groupOpen(String groupId) {
        return poolSql.query("SELECT open_submissions FROM tq_group WHERE id = $1", groupId)
                .map(rows -> rows.size() > 0 && rows.get(0).getInteger(0) > 0);
    }

    /**
     * Locks the group's row as {@link #finishInGroups} does, so that the group cannot complete between the check and
     * the hold: the callback is either held before the completing transaction, which then queues it, or sees it done.
     */
    @Override
    public Uni<Placement> attachCallback(String groupId, NewTask callback) {
        return inTransaction(c -> lockGroups(c, new String[] { groupId }).chain(groups -> {
            Boolean completed = groups.get(groupId);
            if (completed == null) {
                return Uni.createFrom().failure(GroupCallbacks.unknownGroup(groupId));
            }
            NewTask task = reindexed(completed ? callback : GroupCallbacks.held(callback), 0);
            return writeChunk(c, null, List.of(task), DuplicateStrategy.SKIP, new Finished())
                    .chain(r -> {
                        Placement p = r.placements().get(0);
                        return completed || p.id() == null ? Uni.createFrom().item(p)
                                : c.query("UPDATE tq_task SET due_at = NULL, after_group = $1 WHERE id = $2", groupId,
                                        p.id().value()).replaceWith(p);
                    });
        }));
    }

    /** Queues the callbacks held for the groups this transaction completes; wakes every node if there are any. */
    private static Uni<Void> releaseCallbacks(Sql c, List<String> completedGroups) {
        if (completedGroups.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // run_at: when it became runnable, by the database's clock (this runs inside static group bookkeeping)
        return c.query("UPDATE tq_task SET state = " + QUEUED + ", after_group = NULL, "
                + "run_at = floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint "
                + "WHERE after_group = ANY($1::text[]) AND state = " + SCHEDULED + " AND due_at IS NULL RETURNING id",
                (Object) completedGroups.toArray(String[]::new))
                .chain(rows -> rows.size() == 0 ? Uni.createFrom().voidItem() : notifyAll(c));
    }

    @Override
    public Uni<List<TaskId>> groupTasks(String groupId) {
        return poolSql.query("SELECT id FROM tq_task WHERE group_id = $1 ORDER BY id", groupId)
                .map(rows -> {
                    List<TaskId> ids = new ArrayList<>(rows.size());
                    for (SqlRow r : rows) {
                        ids.add(new TaskId(r.getLong(0)));
                    }
                    return ids;
                });
    }

    @Override
    public Uni<Boolean> probe() {
        return poolSql.query("SELECT EXISTS (SELECT 1 FROM tq_task WHERE " + PostgresSchema.RUNNABLE + ")")
                .map(rows -> rows.get(0).getBoolean(0));
    }

    @Override
    public Uni<QueueStats> stats() {
        return poolSql.query("SELECT type, state, count(*) FROM tq_task GROUP BY type, state").chain(rows -> {
            Map<String, Map<String, Long>> counts = new TreeMap<>();
            for (SqlRow r : rows) {
                counts.computeIfAbsent(r.getString(0), k -> new TreeMap<>())
                        .put(StateCodes.state(r.getInteger(1)).name(), r.getLong(2));
            }
            return poolSql.query("SELECT min(run_at) FROM tq_task WHERE " + PostgresSchema.RUNNABLE)
                    .map(oldest -> {
                        Long runAt = oldest.get(0).getLong(0);
                        return new QueueStats(counts, runAt == null ? null : Math.max(0, clock.millis() - runAt));
                    });
        });
    }

    @Override
    public Uni<Set<String>> registeredTaskTypes() {
        return poolSql.query("SELECT type FROM tq_handler").map(rows -> {
            Set<String> types = new TreeSet<>();
            for (SqlRow r : rows) {
                types.add(r.getString(0));
            }
            return types;
        });
    }

    @Override
    public Uni<List<TaskInfo>> failedTasks(int limit) {
        return poolSql.query(FAILED_TASKS, limit).map(rows -> {
            List<TaskInfo> tasks = new ArrayList<>(rows.size());
            for (SqlRow r : rows) {
                tasks.add(taskInfo(r));
            }
            return tasks;
        });
    }

    @Override
    public Uni<List<GroupSummary>> recentGroups(int limit) {
        return poolSql.query(RECENT_GROUPS, limit).map(rows -> {
            Map<String, GroupCounts> groups = new LinkedHashMap<>();
            for (SqlRow r : rows) {
                GroupCounts counts = groups.computeIfAbsent(r.getString(0), g -> new GroupCounts());
                if (r.getInteger(1) != null) { // a group without tasks
                    counts.add(StateCodes.state(r.getInteger(1)), r.getLong(2).intValue());
                }
            }
            List<GroupSummary> summaries = new ArrayList<>(groups.size());
            groups.forEach((g, counts) -> summaries.add(counts.summary(g)));
            return summaries;
        });
    }

    // ---------------------------------------------------------------- plumbing

    private static Long[] ids(List<TaskId> ids) {
        Long[] values = new Long[ids.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = ids.get(i).value();
        }
        return values;
    }

    private static Instant instant(SqlRow r, int column) {
        Long millis = r.getLong(column);
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /**
     * Tasks a transaction made final without a handler's completion, and their groups: booked in the groups
     * inside the transaction, told to the listener once it committed.
     */
    private static final class Finished {
        final List<Ended> tasks = new ArrayList<>();
        final Map<String, Integer> groups = new HashMap<>();
        final List<GroupSummary> completedGroups = new ArrayList<>();

        void add(Ended task, String groupId) {
            tasks.add(task);
            if (groupId != null) {
                groups.merge(groupId, 1, Integer::sum);
            }
        }

        Uni<Void> bookInGroups(Sql c) {
            return finishInGroups(c, groups).invoke(completedGroups::addAll).replaceWithVoid();
        }

        void tell(StoreListener listener) {
            if (!tasks.isEmpty() || !completedGroups.isEmpty()) {
                listener.finishedWithoutRunning(tasks, completedGroups);
            }
        }
    }

    private record PendingInsert(NewTask task, UniEmitter<? super Placement> emitter) {
    }

    private record Active(TaskId id, int state, String groupId, String type) {
    }
}
