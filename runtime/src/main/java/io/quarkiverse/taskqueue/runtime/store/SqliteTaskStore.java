package io.quarkiverse.taskqueue.runtime.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

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
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * The embedded store: one SQLite file through an Agroal datasource.
 * <p>
 * All writes run on ONE thread holding ONE connection, so there is never a second writer to wait for (no
 * SQLITE_BUSY within the application) and read-then-write transactions cannot lose a race. Each write
 * transaction starts with {@code BEGIN IMMEDIATE} so that another process writing the same file (the CLI) is
 * waited for by the busy timeout rather than failing the transaction half way. Single submits and completions
 * are queued and written together by whichever write job runs next. Reads run on a small pool of other
 * connections; WAL lets them see every committed write.
 */
public class SqliteTaskStore implements TaskStore {

    private static final Logger LOG = Logger.getLogger(SqliteTaskStore.class);

    private static final int SCHEDULED = StateCodes.SCHEDULED;
    private static final int QUEUED = StateCodes.QUEUED;
    private static final int RUNNING = StateCodes.RUNNING;
    private static final int FAILED = StateCodes.FAILED;
    private static final int CANCELLED = StateCodes.CANCELLED;
    private static final int SUPERSEDED = StateCodes.SUPERSEDED;
    private static final int MAX_SINGLES_PER_TX = 1000;

    private static final String INSERT_TASK = "INSERT INTO tq_task (id, type, payload, state, priority, dedup_key, "
            + "group_id, concurrency_key, batch_id, name, max_retries, retry_policy, timeout_ms, created_at, due_at, "
            + "run_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String READY_RANGE = "INSERT INTO tq_ready (priority, seq, ckey) "
            + "SELECT priority, id, concurrency_key FROM tq_task WHERE id BETWEEN ? AND ? AND due_at IS NULL";
    private static final String INSERT_RECEIPT = "INSERT INTO tq_receipt (submission_id, first_index, last_index, "
            + "fingerprint, placements) VALUES (?, ?, ?, ?, ?)";
    private static final String INSERT_READY = "INSERT INTO tq_ready (priority, seq, ckey) VALUES (?, ?, ?)";
    private static final String DELETE_READY = "DELETE FROM tq_ready WHERE priority = ? AND seq = ?";
    private static final String DELETE_PARKED = "DELETE FROM tq_parked WHERE ckey = ? AND priority = ? AND seq = ?";
    private static final String PEEK_HEAD = "SELECT priority, seq, ckey FROM tq_ready ORDER BY priority DESC, seq LIMIT ?";
    private static final String PEEK_PARKED = "SELECT priority, seq FROM tq_parked WHERE ckey = ? "
            + "ORDER BY priority DESC, seq LIMIT ?";
    private static final String INSERT_PARKED = "INSERT INTO tq_parked (ckey, priority, seq) VALUES (?, ?, ?)";
    private static final String FIND_ACTIVE = "SELECT t.dedup_key, t.id, t.state, t.priority, t.group_id, t.concurrency_key, t.type "
            + "FROM json_each(?) j JOIN tq_task t ON t.dedup_key = j.value WHERE t.dedup_key IS NOT NULL AND " + StateCodes.active("t.state");
    private static final String SUPERSEDE = "UPDATE tq_task SET state = " + SUPERSEDED + ", finished_at = ?, "
            + "due_at = NULL, cancel_requested = CASE WHEN state = " + RUNNING + " THEN 1 ELSE 0 END WHERE id = ?";
    // standard SQL: DELETE ... ORDER BY ... LIMIT needs a SQLite built with SQLITE_ENABLE_UPDATE_DELETE_LIMIT
    private static final String CLAIM_READY = "DELETE FROM tq_ready WHERE (priority, seq) IN "
            + "(SELECT priority, seq FROM tq_ready ORDER BY priority DESC, seq LIMIT ?) RETURNING priority, seq, ckey";
    private static final String CLAIM_TASKS = "UPDATE tq_task SET state = " + RUNNING + ", attempts = attempts + 1, "
            + "started_at = ?, lease_until = ?, owner = ? WHERE id IN (SELECT value FROM json_each(?)) AND " + StateCodes.active("state") + " "
            + "RETURNING id, type, payload, attempts, priority, group_id, concurrency_key, max_retries, retry_policy, "
            + "timeout_ms";
    private static final String COMPLETE = "UPDATE tq_task SET state = ?, finished_at = ?, result = ?, "
            + "error = coalesce(?, error), error_class = coalesce(?, error_class), error_trace = coalesce(?, error_trace), "
            + "due_at = ?, run_at = coalesce(?, run_at), lease_until = NULL, "
            + "owner = NULL WHERE id = ? AND state = " + RUNNING + " AND owner = ? AND attempts = ?";
    private static final String GROUP_ADD = "INSERT INTO tq_group (id, created_at, active) VALUES (?, ?, ?) "
            + "ON CONFLICT (id) DO UPDATE SET active = active + excluded.active, completed = 0";
    private static final String GROUP_FINISH = "UPDATE tq_group SET active = active - ? WHERE id = ?";
    private static final String GROUP_COMPLETE = "UPDATE tq_group SET completed = 1 "
            + "WHERE id = ? AND active <= 0 AND open_submissions <= 0 AND completed = 0";
    private static final String INFO_COLUMNS = "id, type, state, attempts, priority, group_id, dedup_key, "
            + "concurrency_key, name, created_at, run_at, started_at, finished_at, error, error_class, error_trace";
    private static final String RESULT_COLUMNS = "id, state, result, error, attempts";
    private static final String FAILED_TASKS = "SELECT " + INFO_COLUMNS + " FROM tq_task WHERE state IN (" + FAILED
            + ", " + StateCodes.RETRYING + ") ORDER BY coalesce(finished_at, started_at, created_at) DESC, id DESC LIMIT ?";
    private static final String RECENT_GROUPS = "SELECT g.id, t.state, count(t.id) FROM (SELECT id, created_at "
            + "FROM tq_group ORDER BY created_at DESC, id LIMIT ?) g LEFT JOIN tq_task t ON t.group_id = g.id "
            + "GROUP BY g.id, g.created_at, t.state ORDER BY g.created_at DESC, g.id";
    /** A retried task starts afresh; its last error stays, as after any attempt. */
    private static final String REQUEUE = "UPDATE tq_task SET state = " + QUEUED + ", attempts = 0, run_at = ?, "
            + "due_at = NULL, started_at = NULL, finished_at = NULL, lease_until = NULL, owner = NULL, "
            + "cancel_requested = 0, result = NULL WHERE id = ?";

    private final DataSource dataSource;
    private final ThreadLocal<Connection> readerConnection = new ThreadLocal<>();
    private final Set<Connection> readerConnections = ConcurrentHashMap.newKeySet();
    private final String synchronous;
    private final QueueClock clock;
    /** Names this process as the writer of the groups it opens: a group whose writer died is closed for it. */
    private final String groupWriter = Owner.create();
    private final ExecutorService writer;
    private final ExecutorService readers;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final PendingWrites<PendingInsert> singles = new PendingWrites<>();
    private final PendingWrites<Completion> completions = new PendingWrites<>();
    private final AtomicInteger claimsQueued = new AtomicInteger();
    private volatile StoreListener listener;
    private volatile StandingClaim standingClaim;
    /** Keys with tasks in tq_parked; only the writer thread touches it. */
    private final Set<String> parkedKeys = new HashSet<>();
    private Connection connection;

    /** @param synchronous {@code PRAGMA synchronous} of the connection that commits: NORMAL or FULL */
    public SqliteTaskStore(DataSource dataSource, String synchronous, QueueClock clock) {
        this.dataSource = dataSource;
        this.synchronous = synchronous;
        this.clock = clock;
        this.writer = Executors.newSingleThreadExecutor(r -> daemon(r, "taskqueue-sqlite-writer"));
        this.readers = Executors.newFixedThreadPool(2, r -> daemon(r, "taskqueue-sqlite-reader"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void start(boolean worker, Set<String> handlerTypes, StoreListener listener) {
        this.listener = listener;
        try {
            writer.submit(() -> {
                connection = dataSource.getConnection();
                connection.setAutoCommit(true);
                String product = connection.getMetaData().getDatabaseProductName();
                if (!"SQLite".equalsIgnoreCase(product)) {
                    throw new IllegalStateException("the datasource is " + product + ", not SQLite");
                }
                SqliteSchema.requireSupportedVersion(connection.getMetaData().getDatabaseProductVersion(),
                        connection.getMetaData().getDriverVersion());
                // An application's own datasource may not set these in its URL; the store relies on them.
                try (Statement s = connection.createStatement()) {
                    s.execute("PRAGMA journal_mode=WAL");
                    s.execute("PRAGMA busy_timeout=10000");
                    s.execute("PRAGMA synchronous=" + synchronous);
                }
                SqliteSchema.migrate(connection);
                if (!worker) {
                    // a node that only submits or reads (the CLI's stats, status) changes nothing at start
                    return null;
                }
                List<GroupSummary> completed = inTransaction(c -> {
                    Map<String, Integer> released = new HashMap<>();
                    releaseGroupsOfDeadWriters(released);
                    return finishInGroups(released);
                });
                if (!completed.isEmpty()) {
                    listener.finishedWithoutRunning(List.of(), completed);
                }
                // limits may have changed since the last run: parked tasks wait in the queue again
                inTransaction(c -> {
                    try (Statement s = connection.createStatement()) {
                        s.executeUpdate("INSERT INTO tq_ready (priority, seq, ckey) SELECT priority, seq, ckey FROM tq_parked");
                        s.executeUpdate("DELETE FROM tq_parked");
                    }
                    return null;
                });
                inTransaction(c -> {
                    long now = clock.millis();
                    PreparedStatement ps = statement("INSERT INTO tq_handler (type, seen_at) VALUES (?, ?) "
                            + "ON CONFLICT (type) DO UPDATE SET seen_at = excluded.seen_at");
                    for (String type : handlerTypes) {
                        ps.setString(1, type);
                        ps.setLong(2, now);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                    return null;
                });
                return null;
            }).get();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot open the TaskQueue SQLite store: " + rootMessage(e), e);
        }
    }

    @Override
    public void stop() {
        writer.execute(this::flushCompletions);
        writer.shutdown();
        readers.shutdown();
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS);
            readers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (PreparedStatement ps : statements.values()) {
            closeQuietly(ps);
        }
        statements.clear();
        closeQuietly(connection);
        readerConnections.forEach(SqliteTaskStore::closeQuietly);
    }

    // ---------------------------------------------------------------- submission

    @Override
    public Uni<ChunkResult> insertChunk(String batchId, List<NewTask> tasks, DuplicateStrategy onDuplicate,
            ChunkReceipt receipt) {
        return write(c -> {
            List<Ended> finished = new ArrayList<>();
            Map<String, Integer> finishedGroups = new HashMap<>();
            Runnable[] tell = { NOTHING };
            ChunkResult result = inTransaction(tx -> {
                String writtenAs = batchId;
                if (receipt != null) {
                    writtenAs = submissionBatchId(receipt, batchId);
                    List<Placement> before = SubmissionReceipts.replay(receipt, submissionCount(receipt),
                            overlappingReceipts(receipt));
                    if (before != null) {
                        return ChunkResult.replayed(before, writtenAs);
                    }
                }
                ChunkResult r = writeChunk(writtenAs, tasks, onDuplicate, finished, finishedGroups);
                if (receipt != null) {
                    PreparedStatement ps = statement(INSERT_RECEIPT);
                    ps.setString(1, receipt.submissionId());
                    ps.setInt(2, receipt.firstIndex());
                    ps.setInt(3, receipt.lastIndex());
                    ps.setLong(4, receipt.fingerprint());
                    ps.setString(5, SubmissionReceipts.encode(r.placements()));
                    ps.executeUpdate();
                    r = r.withBatchId(writtenAs);
                }
                tell[0] = finishedInTransaction(finished, finishedGroups);
                return r;
            });
            tell[0].run();
            return result;
        });
    }

    /** Records the submission at its first chunk; emits the batch id it was first written under. */
    private String submissionBatchId(ChunkReceipt receipt, String batchId) throws SQLException {
        PreparedStatement expired = statement("DELETE FROM tq_receipt WHERE submission_id = ? AND EXISTS "
                + "(SELECT 1 FROM tq_submission WHERE id = ? AND created_at < ?)");
        expired.setString(1, receipt.submissionId());
        expired.setString(2, receipt.submissionId());
        expired.setLong(3, receipt.expiredBefore());
        expired.executeUpdate();
        PreparedStatement forget = statement("DELETE FROM tq_submission WHERE id = ? AND created_at < ?");
        forget.setString(1, receipt.submissionId());
        forget.setLong(2, receipt.expiredBefore());
        forget.executeUpdate();
        PreparedStatement insert = statement("INSERT INTO tq_submission (id, batch_id, task_count, created_at) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING");
        insert.setString(1, receipt.submissionId());
        insert.setString(2, batchId);
        insert.setInt(3, SubmissionReceipts.storedCount(receipt.taskCount()));
        insert.setLong(4, clock.millis());
        insert.executeUpdate();
        PreparedStatement select = statement("SELECT batch_id FROM tq_submission WHERE id = ?");
        select.setString(1, receipt.submissionId());
        try (ResultSet rs = select.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    private Integer submissionCount(ChunkReceipt receipt) throws SQLException {
        PreparedStatement select = statement("SELECT task_count FROM tq_submission WHERE id = ?");
        select.setString(1, receipt.submissionId());
        try (ResultSet rs = select.executeQuery()) {
            rs.next();
            return SubmissionReceipts.taskCount(rs.getInt(1));
        }
    }

    private List<SubmissionReceipts.Stored> overlappingReceipts(ChunkReceipt receipt) throws SQLException {
        PreparedStatement ps = statement("SELECT first_index, last_index, fingerprint, placements FROM tq_receipt "
                + "WHERE submission_id = ? AND first_index <= ? AND last_index >= ?");
        ps.setString(1, receipt.submissionId());
        ps.setInt(2, receipt.lastIndex());
        ps.setInt(3, receipt.firstIndex());
        List<SubmissionReceipts.Stored> stored = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                stored.add(new SubmissionReceipts.Stored(rs.getInt(1), rs.getInt(2), rs.getLong(3), rs.getString(4)));
            }
        }
        return stored;
    }

    @Override
    public Uni<Integer> deleteSubmissions(long createdBefore) {
        return write(c -> inTransaction(tx -> {
            PreparedStatement receipts = statement("DELETE FROM tq_receipt WHERE submission_id IN "
                    + "(SELECT id FROM tq_submission WHERE created_at < ?)");
            receipts.setLong(1, createdBefore);
            receipts.executeUpdate();
            PreparedStatement submissions = statement("DELETE FROM tq_submission WHERE created_at < ?");
            submissions.setLong(1, createdBefore);
            return submissions.executeUpdate();
        }));
    }

    @Override
    public Uni<Placement> insertOne(NewTask task) {
        return Uni.createFrom().emitter(emitter -> {
            if (singles.offer(new PendingInsert(task, emitter))) {
                execute(this::flushSingles);
            }
        });
    }

    private void flushSingles() {
        // take() even when nothing waits: it clears the "write scheduled" flag that an offer racing with the
        // previous take may have set after the queue was emptied, or that offer's successors would never be written
        List<PendingInsert> pending;
        while (!(pending = singles.take(MAX_SINGLES_PER_TX)).isEmpty()) {
            List<NewTask> tasks = new ArrayList<>(pending.size());
            for (int i = 0; i < pending.size(); i++) {
                NewTask t = pending.get(i).task;
                tasks.add(new NewTask(i, t.taskType(), t.payload(), t.dedupKey(), t.groupId(), t.concurrencyKey(),
                        t.priority(), t.maxRetries(), t.retryPolicy(), t.timeoutMs(), t.dueAt(), t.name()));
            }
            StandingClaim standing = standingClaim;
            int[] slots = new int[1];
            List<ClaimedTask> claimed = new ArrayList<>();
            ChunkResult result;
            try {
                result = inTransaction(c -> {
                    ChunkResult written = writeChunk(null, tasks, DuplicateStrategy.SKIP, null, null);
                    if (standing != null && (slots[0] = standing.budget.reserveSlots()) > 0) {
                        claimed.addAll(claimTasks(slots[0], standing.budget.keyCapacity(), standing.owner,
                                standing.leaseMillis));
                    }
                    return written;
                });
            } catch (Exception e) {
                if (slots[0] > 0) {
                    standing.budget.releaseSlots(slots[0]); // the claim was rolled back with the submits
                }
                if (pending.size() == 1 && slots[0] == 0) {
                    pending.get(0).emitter.fail(e);
                } else {
                    writeEachAlone(pending, tasks); // one bad row must not fail the others
                }
                continue;
            }
            if (slots[0] > 0) {
                standing.budget.releaseSlots(slots[0] - claimed.size());
            }
            // the tasks go to the workers first, their "started" events after their "submitted" ones
            Runnable afterAnswers = claimed.isEmpty() ? NOTHING : standing.claimed.apply(claimed);
            for (int i = 0; i < pending.size(); i++) {
                pending.get(i).emitter.complete(result.placements().get(i));
            }
            afterAnswers.run();
        }
    }

    private void writeEachAlone(List<PendingInsert> pending, List<NewTask> tasks) {
        for (int i = 0; i < pending.size(); i++) {
            NewTask one = tasks.get(i);
            try {
                pending.get(i).emitter.complete(inTransaction(
                        c -> writeChunk(null, List.of(one), DuplicateStrategy.SKIP, null, null)).placements().get(0));
            } catch (Exception single) {
                pending.get(i).emitter.fail(single);
            }
        }
    }

    private ChunkResult writeChunk(String batchId, List<NewTask> tasks, DuplicateStrategy onDuplicate,
            List<Ended> finished, Map<String, Integer> finishedGroups) throws SQLException {
        long now = clock.millis();
        Map<String, Active> active = findActive(tasks);
        Map<String, TaskId> keysInChunk = new HashMap<>();
        Map<String, Integer> groupAdds = new LinkedHashMap<>();
        List<Placement> placements = new ArrayList<>(tasks.size());
        List<Active> superseded = new ArrayList<>();
        List<TaskId> supersededRunning = new ArrayList<>();
        long firstId = maxId() + 1;
        long nextId = firstId;
        long earliestDue = 0;
        PreparedStatement insert = statement(INSERT_TASK);
        for (NewTask t : tasks) {
            String key = t.dedupKey();
            Placement.Kind kind = Placement.Kind.INSERTED;
            TaskId replaced = null;
            if (key != null) {
                Active existing = active.get(key);
                DedupPlanner.Decision decision = DedupPlanner.decide(key, keysInChunk.get(key),
                        existing == null ? null : existing.id,
                        existing == null ? null : StateCodes.state(existing.state), onDuplicate);
                switch (decision.kind()) {
                    case SKIPPED, FAILED -> {
                        placements.add(new Placement(t.index(), decision.kind(), null, decision.other(),
                                decision.message()));
                        continue;
                    }
                    case SUPERSEDED -> {
                        superseded.add(existing);
                        kind = Placement.Kind.SUPERSEDED;
                        replaced = existing.id;
                    }
                    case INSERTED -> {
                    }
                }
            }
            long id = nextId++;
            boolean delayed = t.dueAt() > now;
            insert.setLong(1, id);
            insert.setString(2, t.taskType());
            insert.setString(3, t.payload());
            insert.setInt(4, delayed ? SCHEDULED : QUEUED);
            insert.setInt(5, t.priority());
            insert.setString(6, key);
            insert.setString(7, t.groupId());
            insert.setString(8, t.concurrencyKey());
            insert.setString(9, batchId);
            insert.setString(10, t.name());
            insert.setInt(11, t.maxRetries());
            insert.setString(12, t.retryPolicy());
            setLongOrNull(insert, 13, t.timeoutMs());
            insert.setLong(14, now);
            setLongOrNull(insert, 15, delayed ? t.dueAt() : null);
            insert.setLong(16, delayed ? t.dueAt() : now);
            insert.addBatch();
            if (delayed && (earliestDue == 0 || t.dueAt() < earliestDue)) {
                earliestDue = t.dueAt();
            }
            if (key != null) {
                keysInChunk.put(key, new TaskId(id));
            }
            if (t.groupId() != null) {
                groupAdds.merge(t.groupId(), 1, Integer::sum);
            }
            placements.add(new Placement(t.index(), kind, new TaskId(id), replaced, null));
        }
        if (!superseded.isEmpty()) {
            PreparedStatement update = statement(SUPERSEDE);
            List<ReadyRow> waiting = new ArrayList<>();
            for (Active a : superseded) {
                update.setLong(1, now);
                update.setLong(2, a.id.value());
                update.addBatch();
                if (a.state == RUNNING) {
                    supersededRunning.add(a.id);
                } else {
                    waiting.add(new ReadyRow(a.priority, a.id.value(), a.ckey));
                }
                if (finished != null) {
                    finished.add(new Ended(a.id, a.type, TaskState.SUPERSEDED, 0, null));
                }
                if (a.groupId != null && finishedGroups != null) {
                    finishedGroups.merge(a.groupId, 1, Integer::sum);
                }
            }
            update.executeBatch();
            removeFromQueue(waiting);
        }
        if (nextId > firstId) {
            insert.executeBatch();
            PreparedStatement ready = statement(READY_RANGE);
            ready.setLong(1, firstId);
            ready.setLong(2, nextId - 1);
            ready.executeUpdate();
        }
        if (!groupAdds.isEmpty()) {
            PreparedStatement group = statement(GROUP_ADD);
            for (Map.Entry<String, Integer> e : groupAdds.entrySet()) {
                group.setString(1, e.getKey());
                group.setLong(2, now);
                group.setInt(3, e.getValue());
                group.addBatch();
            }
            group.executeBatch();
        }
        return new ChunkResult(placements, supersededRunning, earliestDue);
    }

    private Map<String, Active> findActive(List<NewTask> tasks) throws SQLException {
        StringBuilder keys = new StringBuilder("[");
        for (NewTask t : tasks) {
            if (t.dedupKey() != null) {
                if (keys.length() > 1) {
                    keys.append(',');
                }
                Json.appendString(keys, t.dedupKey());
            }
        }
        if (keys.length() == 1) {
            return Map.of();
        }
        keys.append(']');
        Map<String, Active> active = new HashMap<>();
        PreparedStatement ps = statement(FIND_ACTIVE);
        ps.setString(1, keys.toString());
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                active.put(rs.getString(1), new Active(new TaskId(rs.getLong(2)), rs.getInt(3), rs.getInt(4),
                        rs.getString(5), rs.getString(6), rs.getString(7)));
            }
        }
        return active;
    }

    private long maxId() throws SQLException {
        try (ResultSet rs = statement("SELECT coalesce(max(id), 0) FROM tq_task").executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public Uni<Void> openGroups(Set<String> groupIds) {
        return write(c -> inTransaction(tx -> {
            PreparedStatement ps = statement("INSERT INTO tq_group (id, created_at, open_submissions) VALUES (?, ?, 1) "
                    + "ON CONFLICT (id) DO UPDATE SET open_submissions = open_submissions + 1");
            PreparedStatement writer = statement("INSERT INTO tq_group_writer (group_id, owner, open) VALUES (?, ?, 1) "
                    + "ON CONFLICT (group_id, owner) DO UPDATE SET open = open + 1");
            for (String id : groupIds) {
                ps.setString(1, id);
                ps.setLong(2, clock.millis());
                ps.addBatch();
                writer.setString(1, id);
                writer.setString(2, groupWriter);
                writer.addBatch();
            }
            ps.executeBatch();
            writer.executeBatch();
            return null;
        }));
    }

    @Override
    public Uni<Void> closeGroups(Set<String> groupIds) {
        return write(c -> {
            List<GroupSummary> completed = inTransaction(tx -> {
                PreparedStatement ps = statement(
                        "UPDATE tq_group SET open_submissions = max(open_submissions - 1, 0) WHERE id = ?");
                PreparedStatement writer = statement(
                        "UPDATE tq_group_writer SET open = open - 1 WHERE group_id = ? AND owner = ?");
                for (String id : groupIds) {
                    ps.setString(1, id);
                    ps.addBatch();
                    writer.setString(1, id);
                    writer.setString(2, groupWriter);
                    writer.addBatch();
                }
                ps.executeBatch();
                writer.executeBatch();
                PreparedStatement done = statement("DELETE FROM tq_group_writer WHERE owner = ? AND open <= 0");
                done.setString(1, groupWriter);
                done.executeUpdate();
                Map<String, Integer> none = new HashMap<>();
                for (String id : groupIds) {
                    none.put(id, 0);
                }
                return finishInGroups(none);
            });
            if (!completed.isEmpty()) {
                listener.finishedWithoutRunning(List.of(), completed);
            }
            return null;
        });
    }

    /**
     * A submission that was adding to a group when its process died will not close it: closes the groups opened by
     * dead processes of this host, adding them to {@code groups} so that their completion is checked.
     */
    private void releaseGroupsOfDeadWriters(Map<String, Integer> groups) throws SQLException {
        List<String> dead = new ArrayList<>();
        try (ResultSet rs = statement("SELECT DISTINCT owner FROM tq_group_writer").executeQuery()) {
            while (rs.next()) {
                if (Owner.isDeadLocalProcess(rs.getString(1))) {
                    dead.add(rs.getString(1));
                }
            }
        }
        PreparedStatement release = statement("DELETE FROM tq_group_writer WHERE owner = ? RETURNING group_id, open");
        PreparedStatement close = statement(
                "UPDATE tq_group SET open_submissions = max(open_submissions - ?, 0) WHERE id = ?");
        for (String owner : dead) {
            release.setString(1, owner);
            try (ResultSet rs = release.executeQuery()) {
                while (rs.next()) {
                    close.setInt(1, rs.getInt(2));
                    close.setString(2, rs.getString(1));
                    close.addBatch();
                    groups.merge(rs.getString(1), 0, Integer::sum);
                }
            }
            close.executeBatch();
        }
    }

    /** Lowers each group's count of active tasks; returns the summaries of groups that are now complete. */
    private List<GroupSummary> finishInGroups(Map<String, Integer> finishedByGroup) throws SQLException {
        if (finishedByGroup.isEmpty()) {
            return List.of();
        }
        PreparedStatement finish = statement(GROUP_FINISH);
        PreparedStatement complete = statement(GROUP_COMPLETE);
        List<GroupSummary> completed = new ArrayList<>();
        for (Map.Entry<String, Integer> e : finishedByGroup.entrySet()) {
            if (e.getValue() > 0) {
                finish.setInt(1, e.getValue());
                finish.setString(2, e.getKey());
                finish.executeUpdate();
            }
            complete.setString(1, e.getKey());
            if (complete.executeUpdate() == 1) {
                releaseCallbacks(e.getKey());
                completed.add(summary(connection, e.getKey()));
            }
        }
        return completed;
    }

    private static final Runnable NOTHING = () -> {
    };

    /**
     * The group bookkeeping of tasks made final in the current transaction, done in that transaction; returns
     * what to tell the listener once it is committed.
     */
    private Runnable finishedInTransaction(List<Ended> finished, Map<String, Integer> finishedGroups)
            throws SQLException {
        List<GroupSummary> completed = finishInGroups(finishedGroups);
        if (finished.isEmpty() && completed.isEmpty()) {
            return NOTHING;
        }
        return () -> listener.finishedWithoutRunning(finished, completed);
    }

    // ---------------------------------------------------------------- dispatch

    /**
     * Writes the queued completions and claims in ONE transaction: a drain then costs one commit per round trip
     * instead of two.
     */
    private record StandingClaim(ClaimBudget budget, String owner, long leaseMillis,
            java.util.function.Function<List<ClaimedTask>, Runnable> claimed) {
    }

    @Override
    public void claimOnWrite(ClaimBudget budget, String owner, long leaseMillis,
            java.util.function.Function<List<ClaimedTask>, Runnable> claimed) {
        standingClaim = new StandingClaim(budget, owner, leaseMillis, claimed);
    }

    @Override
    public Uni<List<ClaimedTask>> claim(ClaimBudget budget, String owner, long leaseMillis) {
        return Uni.createFrom().emitter(emitter -> {
            claimsQueued.incrementAndGet();
            execute(() -> claimJob(emitter, budget, owner, leaseMillis));
        });
    }

    private void claimJob(UniEmitter<? super List<ClaimedTask>> emitter,
            ClaimBudget budget, String owner, long leaseMillis) {
        claimsQueued.decrementAndGet();
        flushSingles();
        List<Completion> batch = completions.take(Integer.MAX_VALUE);
        int slots = budget.reserveSlots();
        List<ClaimedTask> claimed = List.of();
        List<Completion> applied = new ArrayList<>(batch.size());
        List<List<GroupSummary>> completedGroups = new ArrayList<>(1);
        try {
            if (slots > 0 || !batch.isEmpty()) {
                claimed = inTransaction(tx -> {
                    completedGroups.add(batch.isEmpty() ? List.of() : writeCompletions(batch, applied));
                    return slots > 0 ? claimTasks(slots, budget.keyCapacity(), owner, leaseMillis)
                            : List.<ClaimedTask> of();
                });
            }
        } catch (Throwable e) {
            budget.releaseSlots(slots);
            if (!batch.isEmpty()) {
                completions.retry(batch); // written by the next claim or flush
                LOG.warnf(e, "Could not record %d task completions yet; they stay queued and are written by the next claim or flush (check that the SQLite file is writable and its disk not full)", batch.size());
            }
            emitter.fail(e);
            return;
        }
        budget.releaseSlots(slots - claimed.size());
        if (!batch.isEmpty()) {
            listener.completed(applied, completedGroups.isEmpty() ? List.of() : completedGroups.get(0));
        }
        emitter.complete(claimed);
    }

    private List<ClaimedTask> claimTasks(int slots, Map<String, Integer> keyCapacity, String owner, long leaseMillis)
            throws SQLException {
        List<ReadyRow> taken = keyCapacity.isEmpty() ? claimInOrder(slots) : claimWithinLimits(slots, keyCapacity);
        if (taken.isEmpty()) {
            return List.of();
        }
        long now = clock.millis();
        StringBuilder ids = new StringBuilder(taken.size() * 8).append('[');
        for (int i = 0; i < taken.size(); i++) {
            if (i > 0) {
                ids.append(',');
            }
            ids.append(taken.get(i).seq);
        }
        ids.append(']');
        PreparedStatement claim = statement(CLAIM_TASKS);
        claim.setLong(1, now);
        claim.setLong(2, now + leaseMillis);
        claim.setString(3, owner);
        claim.setString(4, ids.toString());
        List<ClaimedTask> claimed = new ArrayList<>(taken.size());
        try (ResultSet rs = claim.executeQuery()) {
            while (rs.next()) {
                long timeout = rs.getLong(10);
                Long timeoutMs = rs.wasNull() ? null : timeout;
                claimed.add(new ClaimedTask(new TaskId(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getInt(5), rs.getString(6), rs.getString(7), rs.getInt(8), rs.getString(9), timeoutMs,
                        owner));
            }
        }
        claimed.sort(Comparator.comparingInt(ClaimedTask::priority).reversed().thenComparing(ClaimedTask::id));
        return claimed;
    }

    /** The first {@code slots} runnable tasks: one statement. */
    private List<ReadyRow> claimInOrder(int slots) throws SQLException {
        PreparedStatement claim = statement(CLAIM_READY);
        claim.setInt(1, slots);
        List<ReadyRow> rows = new ArrayList<>(slots);
        try (ResultSet rs = claim.executeQuery()) {
            while (rs.next()) {
                rows.add(new ReadyRow(rs.getInt(1), rs.getLong(2), rs.getString(3)));
            }
        }
        rows.sort(ReadyRow.ORDER);
        return rows;
    }

    /**
     * The first runnable tasks that fit the free capacity of their concurrency keys. A task met at the head of the
     * queue whose key is at its limit is parked ({@code tq_parked}) instead of being stepped over again by every
     * later claim. Parked tasks of keys with free capacity are candidates again, merged with the head of the queue
     * in priority and submission order, and leave {@code tq_parked} only when claimed. So a long run of one
     * saturated key does not slow down the claims of the keys behind it.
     */
    private List<ReadyRow> claimWithinLimits(int slots, Map<String, Integer> keyCapacity) throws SQLException {
        Map<String, Integer> capacity = new HashMap<>(keyCapacity);
        List<ReadyRow> parkedCandidates = parkedCandidates(slots, capacity);
        int next = 0;
        List<ReadyRow> taken = new ArrayList<>(slots);
        List<ReadyRow> takenFromParked = new ArrayList<>();
        List<ReadyRow> takenFromReady = new ArrayList<>();
        List<ReadyRow> park = new ArrayList<>();
        PreparedStatement peek = statement(PEEK_HEAD);
        boolean headExhausted = false;
        for (int round = 0; round < 64 && taken.size() < slots; round++) {
            int limit = slots - taken.size() + 256;
            peek.setInt(1, limit);
            int seen = 0;
            try (ResultSet rs = peek.executeQuery()) {
                while (taken.size() < slots && rs.next()) {
                    seen++;
                    ReadyRow row = new ReadyRow(rs.getInt(1), rs.getLong(2), rs.getString(3));
                    while (next < parkedCandidates.size() && taken.size() < slots
                            && ReadyRow.ORDER.compare(parkedCandidates.get(next), row) < 0) {
                        takeIfRoom(parkedCandidates.get(next++), capacity, taken, takenFromParked);
                    }
                    if (taken.size() < slots && !takeIfRoom(row, capacity, taken, takenFromReady)) {
                        park.add(row);
                    }
                }
            }
            removeFromReady(takenFromReady, park);
            takenFromReady.clear();
            if (seen < limit) {
                headExhausted = true;
                break;
            }
        }
        while (headExhausted && next < parkedCandidates.size() && taken.size() < slots) {
            takeIfRoom(parkedCandidates.get(next++), capacity, taken, takenFromParked);
        }
        if (!takenFromParked.isEmpty()) {
            PreparedStatement unpark = statement(DELETE_PARKED);
            for (ReadyRow row : takenFromParked) {
                unpark.setString(1, row.ckey);
                unpark.setInt(2, row.priority);
                unpark.setLong(3, row.seq);
                unpark.addBatch();
            }
            unpark.executeBatch();
        }
        return taken;
    }

    /** Takes the row if its key has room (or no limit); false when its key is at its limit. */
    private static boolean takeIfRoom(ReadyRow row, Map<String, Integer> capacity, List<ReadyRow> taken,
            List<ReadyRow> from) {
        Integer free = row.ckey == null ? null : capacity.get(row.ckey);
        if (free != null) {
            if (free <= 0) {
                return false;
            }
            capacity.put(row.ckey, free - 1);
        }
        taken.add(row);
        from.add(row);
        return true;
    }

    /** Deletes the rows just taken or parked from tq_ready, and parks the latter. */
    private void removeFromReady(List<ReadyRow> takenThisRound, List<ReadyRow> park) throws SQLException {
        PreparedStatement delete = statement(DELETE_READY);
        for (ReadyRow row : takenThisRound) {
            delete.setInt(1, row.priority);
            delete.setLong(2, row.seq);
            delete.addBatch();
        }
        if (!park.isEmpty()) {
            PreparedStatement parked = statement(INSERT_PARKED);
            for (ReadyRow row : park) {
                delete.setInt(1, row.priority);
                delete.setLong(2, row.seq);
                delete.addBatch();
                parked.setString(1, row.ckey);
                parked.setInt(2, row.priority);
                parked.setLong(3, row.seq);
                parked.addBatch();
                parkedKeys.add(row.ckey);
            }
            parked.executeBatch();
            park.clear();
        }
        delete.executeBatch();
    }

    /** The first parked tasks of every key with free capacity (as many as it could run), in claim order. */
    private List<ReadyRow> parkedCandidates(int slots, Map<String, Integer> capacity) throws SQLException {
        if (parkedKeys.isEmpty()) {
            return List.of();
        }
        List<ReadyRow> candidates = new ArrayList<>();
        PreparedStatement peek = statement(PEEK_PARKED);
        for (Iterator<String> it = parkedKeys.iterator(); it.hasNext();) {
            String key = it.next();
            Integer free = capacity.get(key);
            if (free != null && free <= 0) {
                continue;
            }
            peek.setString(1, key);
            peek.setInt(2, free == null ? slots : Math.min(free, slots));
            int found = 0;
            try (ResultSet rs = peek.executeQuery()) {
                while (rs.next()) {
                    candidates.add(new ReadyRow(rs.getInt(1), rs.getLong(2), key));
                    found++;
                }
            }
            if (found == 0) {
                it.remove();
            }
        }
        candidates.sort(ReadyRow.ORDER);
        return candidates;
    }

    @Override
    public void complete(Completion completion) {
        if (completions.offer(completion)) {
            execute(() -> {
                if (claimsQueued.get() == 0) {
                    flushCompletions();
                } // else the queued claim writes them in its transaction
            });
        }
    }

    private void flushCompletions() {
        // take() even when nothing waits, as flushSingles does: it clears the "write scheduled" flag
        List<Completion> batch = completions.take(Integer.MAX_VALUE);
        if (batch.isEmpty()) {
            return;
        }
        if (connection == null) {
            completions.retry(batch);
            return;
        }
        try {
            List<Completion> applied = new ArrayList<>(batch.size());
            List<GroupSummary> completedGroups = inTransaction(c -> writeCompletions(batch, applied));
            listener.completed(applied, completedGroups);
        } catch (Exception e) {
            completions.retry(batch); // written by the next claim or flush
            LOG.warnf(e, "Could not record %d task completions yet; they stay queued and are written by the next claim or flush (check that the SQLite file is writable and its disk not full)", batch.size());
        }
    }

    private List<GroupSummary> writeCompletions(List<Completion> batch, List<Completion> applied) throws SQLException {
        long now = clock.millis();
        PreparedStatement update = statement(COMPLETE);
        for (Completion c : batch) {
            boolean retry = c.state() == TaskState.RETRYING;
            boolean delayed = retry && c.dueAt() > now;
            update.setInt(1, StateCodes.code(c.state()));
            setLongOrNull(update, 2, retry ? null : now);
            update.setString(3, c.result());
            update.setString(4, c.error());
            update.setString(5, c.errorClass());
            update.setString(6, c.errorTrace());
            setLongOrNull(update, 7, delayed ? c.dueAt() : null);
            setLongOrNull(update, 8, retry ? Math.max(now, c.dueAt()) : null);
            update.setLong(9, c.id().value());
            update.setString(10, c.task().owner());
            update.setInt(11, c.task().attempt());
            update.addBatch();
        }
        int[] counts = update.executeBatch();
        Map<String, Integer> finishedGroups = new HashMap<>();
        PreparedStatement ready = null;
        for (int i = 0; i < batch.size(); i++) {
            if (counts[i] <= 0) {
                continue;
            }
            Completion c = batch.get(i);
            applied.add(c);
            if (c.state() == TaskState.RETRYING) {
                if (c.dueAt() <= now) {
                    if (ready == null) {
                        ready = statement(INSERT_READY);
                    }
                    ready.setInt(1, c.task().priority());
                    ready.setLong(2, c.id().value());
                    ready.setString(3, c.task().concurrencyKey());
                    ready.addBatch();
                }
            } else if (c.task().groupId() != null) {
                finishedGroups.merge(c.task().groupId(), 1, Integer::sum);
            }
        }
        if (ready != null) {
            ready.executeBatch();
        }
        return finishInGroups(finishedGroups);
    }

    @Override
    public Uni<Long> promoteDue() {
        return write(c -> inTransaction(tx -> {
            long now = clock.millis();
            PreparedStatement ready = statement("INSERT INTO tq_ready (priority, seq, ckey) SELECT priority, id, "
                    + "concurrency_key FROM tq_task WHERE due_at IS NOT NULL AND due_at <= ?");
            ready.setLong(1, now);
            int moved = ready.executeUpdate();
            if (moved > 0) {
                PreparedStatement queue = statement("UPDATE tq_task SET state = CASE WHEN state = " + SCHEDULED
                        + " THEN " + QUEUED + " ELSE state END, due_at = NULL WHERE due_at IS NOT NULL AND due_at <= ?");
                queue.setLong(1, now);
                queue.executeUpdate();
            }
            try (ResultSet rs = statement("SELECT coalesce(min(due_at), 0) FROM tq_task WHERE due_at IS NOT NULL")
                    .executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }));
    }

    @Override
    public Uni<List<TaskId>> renewLeases(List<TaskId> running, String owner, long leaseMillis) {
        if (running.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return write(c -> inTransaction(tx -> {
            PreparedStatement ps = statement("UPDATE tq_task SET lease_until = ? WHERE id IN "
                    + "(SELECT value FROM json_each(?)) AND state = " + RUNNING + " AND owner = ? "
                    + "RETURNING id, cancel_requested");
            ps.setLong(1, clock.millis() + leaseMillis);
            ps.setString(2, Json.ids(running));
            ps.setString(3, owner);
            Set<TaskId> renewed = new HashSet<>();
            List<TaskId> stop = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TaskId id = new TaskId(rs.getLong(1));
                    renewed.add(id);
                    if (rs.getInt(2) != 0) {
                        stop.add(id);
                    }
                }
            }
            for (TaskId id : running) {
                if (!renewed.contains(id)) {
                    stop.add(id);
                }
            }
            return stop;
        }));
    }

    @Override
    public Uni<Integer> recoverExpiredLeases() {
        return write(c -> {
            List<Ended> ended = new ArrayList<>();
            Map<String, Integer> endedGroups = new HashMap<>();
            Runnable[] tell = { NOTHING };
            int requeued = inTransaction(tx -> {
                long now = clock.millis();
                expireLeasesOfDeadProcesses();
                refreshParkedKeys();
                PreparedStatement expired = statement("SELECT " + RESCUE_COLUMNS + " FROM tq_task WHERE "
                        + "lease_until IS NOT NULL AND lease_until < ? AND state = " + RUNNING);
                expired.setLong(1, now);
                int n = rescue(expired, false, now, ended, endedGroups);
                releaseGroupsOfDeadWriters(endedGroups);
                tell[0] = finishedInTransaction(ended, endedGroups);
                return n;
            });
            tell[0].run();
            if (requeued + ended.size() > 0) {
                LOG.infof("Recovered %d task(s) whose node stopped while running them (%d queued again, %d ended)",
                        requeued + ended.size(), requeued, ended.size());
            }
            return requeued;
        });
    }

    private static final String RESCUE_COLUMNS = "id, type, attempts, max_retries, cancel_requested, priority, "
            + "concurrency_key, group_id";

    /**
     * Takes back the running tasks that {@code select} finds, as {@link LeaseRescue} decides: queued again, or ended.
     * {@code released}: this node's shutdown gives them back, so the attempt does not count. Returns how many were
     * queued again.
     */
    private int rescue(PreparedStatement select, boolean released, long now, List<Ended> ended,
            Map<String, Integer> endedGroups) throws SQLException {
        List<ReadyRow> retry = new ArrayList<>();
        List<TaskId> cancel = new ArrayList<>();
        List<TaskId> fail = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                TaskId id = new TaskId(rs.getLong(1));
                boolean cancelRequested = rs.getInt(5) == 1;
                LeaseRescue.Outcome outcome = released ? LeaseRescue.released(cancelRequested)
                        : LeaseRescue.expired(rs.getInt(3), rs.getInt(4), cancelRequested);
                if (outcome == LeaseRescue.Outcome.RETRY) {
                    retry.add(new ReadyRow(rs.getInt(6), id.value(), rs.getString(7)));
                    continue;
                }
                boolean failed = outcome == LeaseRescue.Outcome.FAIL;
                (failed ? fail : cancel).add(id);
                ended.add(new Ended(id, rs.getString(2), failed ? TaskState.FAILED : TaskState.CANCELLED, rs.getInt(3),
                        failed ? LeaseRescue.LEASE_EXPIRED : null));
                if (rs.getString(8) != null) {
                    endedGroups.merge(rs.getString(8), 1, Integer::sum);
                }
            }
        }
        if (!retry.isEmpty()) {
            List<TaskId> ids = new ArrayList<>(retry.size());
            retry.forEach(r -> ids.add(new TaskId(r.seq)));
            PreparedStatement requeue = statement("UPDATE tq_task SET state = " + QUEUED + ", lease_until = NULL, "
                    + "owner = NULL" + (released ? ", attempts = attempts - 1, started_at = NULL" : "")
                    + " WHERE id IN (SELECT value FROM json_each(?)) AND state = " + RUNNING);
            requeue.setString(1, Json.ids(ids));
            requeue.executeUpdate();
            insertReady(retry);
        }
        endRunning(cancel, CANCELLED, null, now);
        endRunning(fail, FAILED, LeaseRescue.LEASE_EXPIRED, now);
        return retry.size();
    }

    private void endRunning(List<TaskId> ids, int state, String error, long now) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        PreparedStatement end = statement("UPDATE tq_task SET state = ?, error = coalesce(?, error), finished_at = ?, "
                + "lease_until = NULL, owner = NULL WHERE id IN (SELECT value FROM json_each(?)) AND state = " + RUNNING);
        end.setInt(1, state);
        end.setString(2, error);
        end.setLong(3, now);
        end.setString(4, Json.ids(ids));
        end.executeUpdate();
    }

    /** Another process on the same file may have parked tasks: know their keys too. */
    private void refreshParkedKeys() throws SQLException {
        try (ResultSet rs = statement("SELECT DISTINCT ckey FROM tq_parked").executeQuery()) {
            while (rs.next()) {
                parkedKeys.add(rs.getString(1));
            }
        }
    }

    /** Leases held by a process of this host that has died are expired now, not when they run out. */
    private void expireLeasesOfDeadProcesses() throws SQLException {
        List<String> dead = new ArrayList<>();
        try (ResultSet rs = statement("SELECT DISTINCT owner FROM tq_task WHERE lease_until IS NOT NULL AND state = "
                + RUNNING).executeQuery()) {
            while (rs.next()) {
                if (Owner.isDeadLocalProcess(rs.getString(1))) {
                    dead.add(rs.getString(1));
                }
            }
        }
        PreparedStatement expire = statement(
                "UPDATE tq_task SET lease_until = 0 WHERE lease_until IS NOT NULL AND owner = ? AND state = " + RUNNING);
        for (String owner : dead) {
            expire.setString(1, owner);
            expire.executeUpdate();
        }
    }

    @Override
    public Uni<Void> release(List<TaskId> running) {
        if (running.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return write(c -> {
            List<Ended> cancelled = new ArrayList<>();
            Map<String, Integer> groups = new HashMap<>();
            Runnable[] tell = { NOTHING };
            inTransaction(tx -> {
                PreparedStatement select = statement("SELECT " + RESCUE_COLUMNS + " FROM tq_task WHERE id IN "
                        + "(SELECT value FROM json_each(?)) AND state = " + RUNNING);
                select.setString(1, Json.ids(running));
                rescue(select, true, clock.millis(), cancelled, groups);
                tell[0] = finishedInTransaction(cancelled, groups);
                return null;
            });
            tell[0].run();
            return null;
        });
    }

    private void insertReady(List<ReadyRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        PreparedStatement ready = statement(INSERT_READY);
        for (ReadyRow row : rows) {
            ready.setInt(1, row.priority);
            ready.setLong(2, row.seq);
            ready.setString(3, row.ckey);
            ready.addBatch();
        }
        ready.executeBatch();
    }

    // ---------------------------------------------------------------- cancellation

    @Override
    public Uni<CancelResult> cancel(TaskId id) {
        return write(c -> {
            List<Ended> finished = new ArrayList<>();
            Map<String, Integer> groups = new HashMap<>();
            Runnable[] tell = { NOTHING };
            CancelResult result = inTransaction(tx -> {
                PreparedStatement find = statement(
                        "SELECT state, priority, group_id, concurrency_key, type, attempts FROM tq_task WHERE id = ?");
                find.setLong(1, id.value());
                int state;
                int priority;
                String group;
                String ckey;
                Ended ended;
                try (ResultSet rs = find.executeQuery()) {
                    if (!rs.next()) {
                        return CancelResult.NOT_FOUND;
                    }
                    state = rs.getInt(1);
                    priority = rs.getInt(2);
                    group = rs.getString(3);
                    ckey = rs.getString(4);
                    ended = new Ended(id, rs.getString(5), TaskState.CANCELLED, rs.getInt(6), null);
                }
                CancelResult decision = CancelResult.of(StateCodes.state(state));
                if (decision == CancelResult.ALREADY_FINISHED) {
                    return decision;
                }
                if (decision == CancelResult.REQUESTED) {
                    PreparedStatement flag = statement("UPDATE tq_task SET cancel_requested = 1 WHERE id = ?");
                    flag.setLong(1, id.value());
                    flag.executeUpdate();
                    return decision;
                }
                cancelWaiting(List.of(new ReadyRow(priority, id.value(), ckey)));
                finished.add(ended);
                if (group != null) {
                    groups.put(group, 1);
                }
                tell[0] = finishedInTransaction(finished, groups);
                return CancelResult.CANCELLED;
            });
            tell[0].run();
            return result;
        });
    }

    private void cancelWaiting(List<ReadyRow> tasks) throws SQLException {
        long now = clock.millis();
        PreparedStatement cancel = statement("UPDATE tq_task SET state = " + CANCELLED + ", finished_at = ?, "
                + "due_at = NULL WHERE id = ?");
        for (ReadyRow t : tasks) {
            cancel.setLong(1, now);
            cancel.setLong(2, t.seq);
            cancel.addBatch();
        }
        cancel.executeBatch();
        removeFromQueue(tasks);
    }

    /** Takes waiting tasks out of the queue, wherever they wait (ready, or parked behind their key's limit). */
    private void removeFromQueue(List<ReadyRow> tasks) throws SQLException {
        if (tasks.isEmpty()) {
            return;
        }
        PreparedStatement unready = statement(DELETE_READY);
        PreparedStatement unpark = null;
        for (ReadyRow t : tasks) {
            unready.setInt(1, t.priority);
            unready.setLong(2, t.seq);
            unready.addBatch();
            if (t.ckey != null) {
                if (unpark == null) {
                    unpark = statement(DELETE_PARKED);
                }
                unpark.setString(1, t.ckey);
                unpark.setInt(2, t.priority);
                unpark.setLong(3, t.seq);
                unpark.addBatch();
            }
        }
        unready.executeBatch();
        if (unpark != null) {
            unpark.executeBatch();
        }
    }

    @Override
    public Uni<GroupCancel> cancelGroup(String groupId) {
        return write(c -> {
            List<Ended> finished = new ArrayList<>();
            Map<String, Integer> groups = new HashMap<>();
            Runnable[] tell = { NOTHING };
            GroupCancel result = inTransaction(tx -> {
                PreparedStatement find = statement(
                        "SELECT id, state, priority, concurrency_key, type FROM tq_task WHERE group_id = ? AND " + StateCodes.active("state") + " "
                                + "ORDER BY id");
                find.setString(1, groupId);
                List<ReadyRow> waiting = new ArrayList<>();
                List<TaskId> running = new ArrayList<>();
                Map<TaskId, String> cancelled = new LinkedHashMap<>();
                try (ResultSet rs = find.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getInt(2) == RUNNING) {
                            running.add(new TaskId(rs.getLong(1)));
                        } else {
                            waiting.add(new ReadyRow(rs.getInt(3), rs.getLong(1), rs.getString(4)));
                            cancelled.put(new TaskId(rs.getLong(1)), rs.getString(5));
                        }
                    }
                }
                cancelWaiting(waiting);
                if (!running.isEmpty()) {
                    PreparedStatement flag = statement("UPDATE tq_task SET cancel_requested = 1 WHERE id IN "
                            + "(SELECT value FROM json_each(?))");
                    flag.setString(1, Json.ids(running));
                    flag.executeUpdate();
                }
                cancelled.forEach((task, type) -> finished.add(new Ended(task, type, TaskState.CANCELLED, 0, null)));
                groups.put(groupId, waiting.size());
                tell[0] = finishedInTransaction(finished, groups);
                return new GroupCancel(cancelled, running);
            });
            tell[0].run();
            return result;
        });
    }

    @Override
    public Uni<Boolean> retry(TaskId id) {
        return write(c -> inTransaction(tx -> {
            PreparedStatement find = statement(
                    "SELECT state, priority, concurrency_key, group_id, dedup_key FROM tq_task WHERE id = ?");
            find.setLong(1, id.value());
            int priority;
            String ckey;
            String group;
            String key;
            try (ResultSet rs = find.executeQuery()) {
                if (!rs.next() || (rs.getInt(1) != FAILED && rs.getInt(1) != CANCELLED)) {
                    return false;
                }
                priority = rs.getInt(2);
                ckey = rs.getString(3);
                group = rs.getString(4);
                key = rs.getString(5);
            }
            if (key != null) {
                PreparedStatement holder = statement("SELECT id FROM tq_task WHERE dedup_key = ? AND "
                        + StateCodes.active("state"));
                holder.setString(1, key);
                try (ResultSet rs = holder.executeQuery()) {
                    if (rs.next()) {
                        throw RetryConflict.of(id, key, new TaskId(rs.getLong(1)));
                    }
                }
            }
            long now = clock.millis();
            PreparedStatement requeue = statement(REQUEUE);
            requeue.setLong(1, now);
            requeue.setLong(2, id.value());
            requeue.executeUpdate();
            insertReady(List.of(new ReadyRow(priority, id.value(), ckey)));
            if (group != null) {
                PreparedStatement add = statement(GROUP_ADD);
                add.setString(1, group);
                add.setLong(2, now);
                add.setInt(3, 1);
                add.executeUpdate();
            }
            return true;
        }));
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Uni<TaskInfo> info(TaskId id) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + INFO_COLUMNS + " FROM tq_task WHERE id = ?")) {
                ps.setLong(1, id.value());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? taskInfo(rs) : null;
                }
            }
        });
    }

    /** The current row, read as {@link #INFO_COLUMNS}. */
    private static TaskInfo taskInfo(ResultSet rs) throws SQLException {
        return new TaskInfo(new TaskId(rs.getLong(1)), rs.getString(2), StateCodes.state(rs.getInt(3)),
                rs.getInt(4), rs.getInt(5), rs.getString(6), rs.getString(7), rs.getString(8),
                rs.getString(9), instant(rs, 10), instant(rs, 11), instant(rs, 12), instant(rs, 13),
                rs.getString(14), rs.getString(15), rs.getString(16));
    }

    @Override
    public Uni<TaskResult> result(TaskId id) {
        return results(List.of(id)).map(list -> list.isEmpty() ? null : list.get(0));
    }

    @Override
    public Uni<List<TaskResult>> results(List<TaskId> ids) {
        return read(c -> {
            Map<Long, TaskResult> found = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + RESULT_COLUMNS
                    + " FROM tq_task WHERE id IN (SELECT value FROM json_each(?))")) {
                ps.setString(1, Json.ids(ids));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        TaskId id = new TaskId(rs.getLong(1));
                        TaskState state = StateCodes.state(rs.getInt(2));
                        String error = state == TaskState.SUCCEEDED ? null : rs.getString(4);
                        found.put(id.value(), new TaskResult(id, state, rs.getString(3), error, rs.getInt(5)));
                    }
                }
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
        return read(c -> summary(c, groupId));
    }

    private static GroupSummary summary(Connection c, String groupId) throws SQLException {
        GroupCounts counts = new GroupCounts();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT state, count(*) FROM tq_task WHERE group_id = ? GROUP BY state")) {
            ps.setString(1, groupId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.add(StateCodes.state(rs.getInt(1)), rs.getInt(2));
                }
            }
        }
        if (counts.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM tq_group WHERE id = ?")) {
                ps.setString(1, groupId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                }
            }
        }
        return counts.summary(groupId);
    }

    @Override
    public Uni<Placement> attachCallback(String groupId, NewTask callback) {
        return write(c -> inTransaction(tx -> {
            PreparedStatement group = statement("SELECT completed FROM tq_group WHERE id = ?");
            group.setString(1, groupId);
            boolean completed;
            try (ResultSet rs = group.executeQuery()) {
                if (!rs.next()) {
                    throw GroupCallbacks.unknownGroup(groupId);
                }
                completed = rs.getInt(1) != 0;
            }
            if (completed) {
                return writeChunk(null, List.of(callback), DuplicateStrategy.SKIP, null, null).placements().get(0);
            }
            Placement p = writeChunk(null, List.of(GroupCallbacks.held(callback)), DuplicateStrategy.SKIP, null, null)
                    .placements().get(0);
            if (p.id() != null) {
                PreparedStatement hold = statement("UPDATE tq_task SET due_at = NULL, after_group = ? WHERE id = ?");
                hold.setString(1, groupId);
                hold.setLong(2, p.id().value());
                hold.executeUpdate();
            }
            return p;
        }));
    }

    /** Queues the callbacks held for a group this transaction completes. */
    private void releaseCallbacks(String groupId) throws SQLException {
        PreparedStatement ready = statement("INSERT INTO tq_ready (priority, seq, ckey) SELECT priority, id, "
                + "concurrency_key FROM tq_task WHERE after_group = ? AND state = " + SCHEDULED + " AND due_at IS NULL");
        ready.setString(1, groupId);
        if (ready.executeUpdate() > 0) {
            PreparedStatement queue = statement("UPDATE tq_task SET state = " + QUEUED + ", after_group = NULL, "
                    + "run_at = ? WHERE after_group = ? AND state = " + SCHEDULED + " AND due_at IS NULL");
            queue.setLong(1, clock.millis());
            queue.setString(2, groupId);
            queue.executeUpdate();
        }
    }

    @Override
    public Uni<List<TaskId>> groupTasks(String groupId) {
        return read(c -> {
            List<TaskId> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM tq_task WHERE group_id = ? ORDER BY id")) {
                ps.setString(1, groupId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(new TaskId(rs.getLong(1)));
                    }
                }
            }
            return ids;
        });
    }

    @Override
    public Uni<Boolean> groupOpen(String groupId) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT open_submissions FROM tq_group WHERE id = ?")) {
                ps.setString(1, groupId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getInt(1) > 0;
                }
            }
        });
    }

    @Override
    public Uni<Boolean> probe() {
        return read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA database_list")) {
                while (rs.next()) {
                    String file = rs.getString(3);
                    if ("main".equals(rs.getString(2)) && file != null && !file.isEmpty()
                            && !java.nio.file.Files.isWritable(java.nio.file.Path.of(file))) {
                        throw new IllegalStateException("the SQLite file " + file + " is not writable by this "
                                + "process: tasks can neither be submitted nor completed; fix its permissions");
                    }
                }
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM tq_ready)")) {
                return rs.next() && rs.getBoolean(1);
            }
        });
    }

    @Override
    public Uni<QueueStats> stats() {
        return read(c -> {
            Map<String, Map<String, Long>> counts = new TreeMap<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT type, state, count(*) FROM tq_task GROUP BY type, state")) {
                while (rs.next()) {
                    counts.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                            .put(StateCodes.state(rs.getInt(2)).name(), rs.getLong(3));
                }
            }
            Long oldest = null;
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT run_at FROM tq_task WHERE id = (SELECT min(seq) FROM tq_ready)")) {
                if (rs.next()) {
                    oldest = Math.max(0, clock.millis() - rs.getLong(1));
                }
            }
            return new QueueStats(counts, oldest);
        });
    }

    @Override
    public Uni<Set<String>> registeredTaskTypes() {
        return read(c -> {
            Set<String> types = new TreeSet<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT type FROM tq_handler")) {
                while (rs.next()) {
                    types.add(rs.getString(1));
                }
            }
            return types;
        });
    }

    @Override
    public Uni<List<TaskInfo>> failedTasks(int limit) {
        return read(c -> {
            List<TaskInfo> tasks = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(FAILED_TASKS)) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        tasks.add(taskInfo(rs));
                    }
                }
            }
            return tasks;
        });
    }

    @Override
    public Uni<List<GroupSummary>> recentGroups(int limit) {
        return read(c -> {
            Map<String, GroupCounts> groups = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(RECENT_GROUPS)) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        GroupCounts counts = groups.computeIfAbsent(rs.getString(1), g -> new GroupCounts());
                        if (rs.getObject(2) != null) { // a group without tasks
                            counts.add(StateCodes.state(rs.getInt(2)), rs.getInt(3));
                        }
                    }
                }
            }
            List<GroupSummary> summaries = new ArrayList<>(groups.size());
            groups.forEach((id, counts) -> summaries.add(counts.summary(id)));
            return summaries;
        });
    }

    // ---------------------------------------------------------------- plumbing

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws Exception;
    }

    /** Runs on the writer thread, after the queued single submits and completions. */
    private <T> Uni<T> write(SqlWork<T> work) {
        return Uni.createFrom().emitter(emitter -> execute(() -> {
            flushSingles();
            flushCompletions();
            try {
                emitter.complete(work.run(connection));
            } catch (Throwable e) {
                emitter.fail(e);
            }
        }));
    }

    private void execute(Runnable job) {
        try {
            writer.execute(job);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("The TaskQueue store is stopped");
        }
    }

    private <T> Uni<T> read(SqlWork<T> work) {
        return Uni.createFrom().emitter(emitter -> readers.execute(() -> {
            try {
                emitter.complete(work.run(readerConnection()));
            } catch (Throwable e) {
                emitter.fail(e);
            }
        }));
    }

    /** Each reader thread keeps its connection: opening one costs a file open and a schema parse. */
    private Connection readerConnection() throws SQLException {
        Connection c = readerConnection.get();
        if (c == null || c.isClosed()) {
            c = dataSource.getConnection();
            c.setAutoCommit(true);
            readerConnection.set(c);
            readerConnections.add(c);
        }
        return c;
    }

    private <T> T inTransaction(SqlWork<T> work) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            try {
                T result = work.run(connection);
                s.execute("COMMIT");
                return result;
            } catch (Throwable e) {
                rollback(s);
                if (e instanceof SQLException sql) {
                    throw sql;
                }
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                if (e instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e);
            }
        }
    }

    /** Rolls back and forgets the rows batched on cached statements, so no later transaction writes them. */
    private void rollback(Statement s) {
        try {
            s.execute("ROLLBACK");
        } catch (SQLException e) {
            LOG.debug("ROLLBACK failed (no transaction open?)", e);
        }
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.clearBatch();
            } catch (SQLException ignored) {
                // nothing batched
            }
        }
    }


    private PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    private static void setLongOrNull(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing on shutdown
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private record PendingInsert(NewTask task, UniEmitter<? super Placement> emitter) {
    }

    private record Active(TaskId id, int state, int priority, String groupId, String ckey, String type) {
    }

    private record ReadyRow(int priority, long seq, String ckey) {
        static final Comparator<ReadyRow> ORDER = Comparator.comparingInt(ReadyRow::priority).reversed()
                .thenComparingLong(ReadyRow::seq);
    }
}
