package io.quarkiverse.taskqueue.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import jakarta.inject.Inject;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.taskqueue.BatchFailure;
import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.DuplicateStrategy;
import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.Superseded;
import io.quarkiverse.taskqueue.TaskEvent;
import io.quarkiverse.taskqueue.TaskGroup;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkiverse.taskqueue.runtime.config.TaskQueueConfig;
import io.quarkiverse.taskqueue.runtime.dispatch.TaskDispatcher;
import io.quarkiverse.taskqueue.runtime.handler.TaskHandlerRegistry;
import io.quarkiverse.taskqueue.runtime.observability.TaskMetrics;
import io.quarkiverse.taskqueue.runtime.store.CallerTransaction;
import io.quarkiverse.taskqueue.runtime.store.ChunkReceipt;
import io.quarkiverse.taskqueue.runtime.store.ChunkResult;
import io.quarkiverse.taskqueue.runtime.store.SubmissionMismatchException;
import io.quarkiverse.taskqueue.runtime.store.Completion;
import io.quarkiverse.taskqueue.runtime.store.DedupPlanner;
import io.quarkiverse.taskqueue.runtime.store.DedupPlanner.Dropped;
import io.quarkiverse.taskqueue.runtime.store.Ended;
import io.quarkiverse.taskqueue.runtime.store.NewTask;
import io.quarkiverse.taskqueue.runtime.store.Placement;
import io.quarkiverse.taskqueue.runtime.store.StoreListener;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;
import io.quarkiverse.taskqueue.runtime.store.TaskWrites;
import io.quarkiverse.taskqueue.runtime.store.TransactionJoiner;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The {@link TaskQueue} bean: validates submissions, writes them through the {@link TaskStore} in chunks and
 * keeps the {@link TaskDispatcher} informed. Items reach callers on their Vert.x context when they have one,
 * else on a worker thread, never on the store's threads.
 */
@ApplicationScoped
public class TaskQueueImpl implements TaskQueue, StoreListener {

    private static final Logger LOG = Logger.getLogger(TaskQueueImpl.class);

    @Inject
    TaskQueueConfig config;

    @Inject
    TaskHandlerRegistry registry;

    @Inject
    ObjectMapper mapper;

    @Inject
    Vertx vertx;

    @Inject
    QueueClock clock;

    @Inject
    TaskEvents events;

    @Inject
    TaskStore store;

    @Inject
    TaskDispatcher dispatcher;

    @Inject
    TransactionJoiner transactions;

    @Inject
    RecentBatches recentBatches;

    @Inject
    TaskMetrics metrics;

    private final ConcurrentHashMap<String, CompletableFuture<GroupSummary>> groupWaiters = new ConcurrentHashMap<>();
    private TaskPreparer preparer;
    private Awaiters awaiters;
    private long pollTimer = -1;
    private long sweepTimer = -1;

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        validateConfig();
        preparer = new TaskPreparer(registry, config, mapper);
        awaiters = new Awaiters(store);
        // only a node that runs tasks advertises its task types (tq_handler): a submit-only tool such as the CLI
        // must not make its own handlers look runnable in the store it writes to
        store.start(config.worker().enabled(), config.worker().enabled() ? registry.taskTypes() : Set.of(), this);
        if (config.worker().enabled()) {
            dispatcher.start();
        }
        // tasks and groups awaited here may be finished by another process: look again now and then
        pollTimer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> {
            awaiters.recheck();
            recheckGroups();
        });
        if (config.worker().enabled()) {
            // an expired submission is forgotten when its id comes again; this frees the space of the others
            long every = Math.max(config.pollInterval().toMillis(),
                    Math.min(config.submission().retention().toMillis() / 4, Duration.ofMinutes(10).toMillis()));
            sweepTimer = vertx.setPeriodic(every, id -> deleteExpiredSubmissions().subscribe().with(n -> {
            }));
        }
        LOG.debugf("TaskQueue started (%s%s) with %d handler(s)", store.getClass().getSimpleName(),
                config.datasource().map(n -> ", datasource " + n).orElse(""), registry.taskTypes().size());
    }

    void onStop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(pollTimer);
        vertx.cancelTimer(sweepTimer);
        try {
            if (config.worker().enabled()) {
                dispatcher.stop();
            }
        } finally {
            store.stop();
        }
    }

    private void validateConfig() {
        if (config.batch().chunkSize() < 1) {
            throw new IllegalStateException("quarkus.taskqueue.batch.chunk-size must be at least 1, not "
                    + config.batch().chunkSize());
        }
        if (config.worker().poolSize() < 1) {
            throw new IllegalStateException("quarkus.taskqueue.worker.pool-size must be at least 1, not "
                    + config.worker().poolSize());
        }
        if (config.retry().multiplier() < 1) {
            throw new IllegalStateException("quarkus.taskqueue.retry.multiplier must be at least 1, not "
                    + config.retry().multiplier());
        }
        if (config.retry().jitter() < 0 || config.retry().jitter() > 1) {
            throw new IllegalStateException("quarkus.taskqueue.retry.jitter must be between 0 and 1, not "
                    + config.retry().jitter());
        }
        if (config.retries() < 0) {
            throw new IllegalStateException("quarkus.taskqueue.retries must not be negative, not " + config.retries());
        }
        config.concurrency().forEach((key, c) -> {
            if (c.max() < 1) {
                throw new IllegalStateException("quarkus.taskqueue.concurrency.\"" + key + "\".max must be at least 1");
            }
        });
    }

    /** Deletes the receipts of submissions older than {@code quarkus.taskqueue.submission.retention}. */
    Uni<Integer> deleteExpiredSubmissions() {
        return store.deleteSubmissions(clock.millis() - config.submission().retention().toMillis())
                .onItem().invoke(n -> {
                    if (n > 0) {
                        LOG.debugf("Deleted the receipts of %d submission(s) past their retention", n);
                    }
                })
                .onFailure().invoke(e -> LOG.warnf("Cannot delete the receipts of expired submissions: %s", e.getMessage()))
                .onFailure().recoverWithItem(0);
    }

    /** The store, for the task and group handles. */
    TaskStore store() {
        return store;
    }

    public TaskHandlerRegistry registry() {
        return registry;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    // ---------------------------------------------------------------- submit

    @Override
    public Uni<TaskHandle> submit(String taskType, Object payload) {
        Objects.requireNonNull(taskType, "taskType");
        return submit(TaskSubmission.of(taskType, payload));
    }

    @Override
    public Uni<TaskHandle> submit(String taskType, Object payload, TaskOptions options) {
        Objects.requireNonNull(taskType, "taskType");
        Objects.requireNonNull(options, "options");
        return submit(TaskSubmission.of(taskType, payload).options(options));
    }

    @Override
    public Uni<TaskHandle> submit(TaskSubmission task) {
        Objects.requireNonNull(task, "task");
        return deliver(Uni.createFrom().deferred(() -> {
            NewTask prepared = preparer.prepare(0, task, TaskOptions.defaults(), null, null, clock.millis());
            return writes(w -> w.insertOne(prepared)).map(placement -> {
                if (placement.kind() == Placement.Kind.SKIPPED) {
                    return (TaskHandle) handle(placement.other(), prepared.taskType());
                }
                metrics.submitted(prepared.taskType(), 1);
                events.emit(new TaskEvent.TaskSubmitted(placement.id(), prepared.taskType()));
                dispatcher.scheduleDue(prepared.dueAt());
                dispatcher.wake();
                return handle(placement.id(), prepared.taskType());
            });
        }));
    }

    /**
     * Stores a callback of the group {@code groupId} (see {@link TaskGroup#onComplete}); {@code foreignTypes} as in
     * {@link #submitBatch(BatchSubmission, Predicate)}.
     */
    public Uni<TaskHandle> attachCallback(String groupId, TaskSubmission callback, Predicate<String> foreignTypes) {
        return Uni.createFrom().deferred(() -> {
            if (callback.groupId() != null) {
                throw new IllegalArgumentException("A callback of group " + groupId + " is not a member of a group: "
                        + "remove its groupId (" + callback.groupId() + ")");
            }
            NewTask prepared = preparer.prepare(0, callback, TaskOptions.defaults(), null, foreignTypes, clock.millis());
            if (prepared.dueAt() != 0) {
                throw new IllegalArgumentException("A callback of group " + groupId
                        + " runs when the group completes: remove its delay");
            }
            return store.attachCallback(groupId, prepared).map(placement -> {
                if (placement.kind() == Placement.Kind.SKIPPED) {
                    return (TaskHandle) handle(placement.other(), prepared.taskType());
                }
                metrics.submitted(prepared.taskType(), 1);
                events.emit(new TaskEvent.TaskSubmitted(placement.id(), prepared.taskType()));
                dispatcher.wake(); // queued at once when the group was done
                return handle(placement.id(), prepared.taskType());
            });
        });
    }

    // ---------------------------------------------------------------- batches

    @Override
    public Uni<BatchOutcome> submitBatch(List<TaskSubmission> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        return submitBatch(BatchSubmission.create().tasks(tasks));
    }

    @Override
    public Uni<BatchOutcome> submitBatch(BatchSubmission batch) {
        return submitBatch(batch, null);
    }

    /**
     * For the extension's tools (CLI, REST) that submit on behalf of other applications: task types without a
     * handler in this application are accepted when {@code foreignTypes} accepts them, payloads stored as given.
     */
    public Uni<BatchOutcome> submitBatch(BatchSubmission batch, Predicate<String> foreignTypes) {
        Objects.requireNonNull(batch, "batch");
        TaskOptions base = TaskPreparer.base(batch.defaultOptions(), batch.defaultConcurrencyKey(),
                batch.defaultPriority(), null);
        return deliver(offload(() -> prepareAll(batch.iterator(), base, batch.groupId(), foreignTypes))
                .chain(prepared -> write(prepared, batch.onDuplicate(), chunkSize(batch),
                        Resume.of(submissionId(batch), prepared.count)))
                .map(Written::outcome));
    }

    @Override
    public Multi<BatchOutcome> submitStream(Multi<TaskSubmission> tasks, BatchSubmission settings) {
        return submitStream(tasks, settings, null);
    }

    /** As {@link #submitBatch(BatchSubmission, Predicate)}, streamed. */
    public Multi<BatchOutcome> submitStream(Multi<TaskSubmission> tasks, BatchSubmission settings,
            Predicate<String> foreignTypes) {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(settings, "settings");
        AtomicReference<String> batchId = new AtomicReference<>(newBatchId());
        Resume resume = Resume.of(submissionId(settings), null);
        int chunkSize = chunkSize(settings);
        TaskOptions base = TaskPreparer.base(settings.defaultOptions(), settings.defaultConcurrencyKey(),
                settings.defaultPriority(), null);
        AtomicInteger offset = new AtomicInteger();
        return deliverMulti(Multi.createFrom().deferred(() -> {
            GroupsOpened opened = new GroupsOpened();
            // the batch's group is open from the start, each task's own group from its first chunk on
            Multi<BatchOutcome> chunks = tasks.group().intoLists().of(chunkSize)
                    .onItem().<BatchOutcome>transformToUniAndConcatenate(list -> {
                        int first = offset.getAndAdd(list.size());
                        return offload(() -> prepareAll(list.iterator(), base, settings.groupId(), foreignTypes)
                                .shift(first))
                                .call(prepared -> opened.open(prepared.groups()))
                                .chain(prepared -> writeChunks(batchId.get(), prepared, settings.onDuplicate(),
                                        chunkSize, resume))
                                .map(written -> {
                                    batchId.set(written.batchId); // a resumed stream keeps its first batch id
                                    return written.outcome();
                                });
                    });
            Multi<BatchOutcome> outcomes = settings.groupId() == null ? chunks
                    : opened.open(Set.of(settings.groupId())).onItem().transformToMulti(v -> chunks);
            return outcomes.onCompletion().call(opened::closeAll)
                    .onFailure().call(e -> opened.closeAll())
                    .onCancellation().invoke(opened::closeOnCancel);
        }));
    }

    /** A batch is made resumable by {@link BatchSubmission#submissionId}, not by its default options. */
    private static String submissionId(BatchSubmission batch) {
        String inDefaults = batch.defaultOptions().submissionId();
        if (inDefaults != null) {
            throw new IllegalArgumentException("A batch's default options cannot have a submissionId (\"" + inDefaults
                    + "\"): give it with BatchSubmission.submissionId");
        }
        return batch.submissionId();
    }

    @Override
    public Uni<List<TaskHandle>> map(String taskType, Iterable<?> inputs) {
        return map(taskType, inputs, TaskOptions.defaults());
    }

    @Override
    public Uni<List<TaskHandle>> map(String taskType, Iterable<?> inputs, TaskOptions options) {
        Objects.requireNonNull(taskType, "taskType");
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(options, "options");
        return deliver(fanOut(taskType, inputs, options, null)
                .map(w -> w.requireAllWritten("map(\"" + taskType + "\")").handles(this)));
    }

    @Override
    public Uni<TaskGroup> group(String groupId, List<TaskSubmission> tasks) {
        return group(groupId, tasks, TaskOptions.defaults());
    }

    @Override
    public Uni<TaskGroup> group(String groupId, List<TaskSubmission> tasks, TaskOptions options) {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(options, "options");
        String id = groupIdOf(groupId, options);
        TaskOptions base = TaskPreparer.base(TaskOptions.defaults(), null, null, options);
        return deliver(offload(() -> prepareAll(tasks.iterator(), base, id, null))
                .chain(prepared -> write(prepared.requireValid("group(\"" + id + "\")"), DuplicateStrategy.SKIP,
                        config.batch().chunkSize(), Resume.of(options.submissionId(), prepared.count)))
                .map(w -> (TaskGroup) new TaskGroupImpl(this, id,
                        w.requireAllWritten("group(\"" + id + "\")").handles(this))));
    }

    @Override
    public Uni<TaskGroup> group(String groupId, String taskType, Iterable<?> inputs, TaskOptions options) {
        Objects.requireNonNull(taskType, "taskType");
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(options, "options");
        String id = groupIdOf(groupId, options);
        return deliver(fanOut(taskType, inputs, options, id)
                .map(w -> (TaskGroup) new TaskGroupImpl(this, id,
                        w.requireAllWritten("group(\"" + id + "\", \"" + taskType + "\")").handles(this))));
    }

    /** A resumable group is found again by its id: it must be given, not made up anew by each call. */
    private String groupIdOf(String groupId, TaskOptions options) {
        if (groupId != null) {
            return groupId;
        }
        if (options.submissionId() != null) {
            throw new IllegalArgumentException("A resumable group needs its groupId: give one with submissionId \""
                    + options.submissionId() + "\"");
        }
        return newGroupId();
    }

    private Uni<Written> fanOut(String taskType, Iterable<?> inputs, TaskOptions options, String groupId) {
        TaskOptions base = TaskPreparer.base(TaskOptions.defaults(), null, null, options);
        String what = groupId == null ? "map(\"" + taskType + "\")" : "group(\"" + groupId + "\", \"" + taskType + "\")";
        return offload(() -> {
            registry.require(taskType);
            Iterator<?> it = inputs.iterator();
            Iterator<TaskSubmission> submissions = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public TaskSubmission next() {
                    Object input = it.next();
                    return input instanceof TaskSubmission s ? s : TaskSubmission.of(taskType, input);
                }
            };
            return prepareAll(submissions, base, groupId, null).requireValid(what);
        }).chain(prepared -> write(prepared, DuplicateStrategy.SKIP, config.batch().chunkSize(),
                Resume.of(options.submissionId(), prepared.count)));
    }

    @Override
    public TaskHandle task(TaskId id) {
        Objects.requireNonNull(id, "id");
        return handle(id, null);
    }

    @Override
    public TaskGroup existingGroup(String groupId) {
        Objects.requireNonNull(groupId, "groupId");
        return new TaskGroupImpl(this, groupId, null);
    }

    @Override
    public Multi<TaskEvent> events() {
        return events.stream();
    }

    TaskHandle handle(TaskId id, String taskType) {
        return new TaskHandleImpl(this, id, taskType);
    }

    // ---------------------------------------------------------------- batch plumbing

    /** Validates every task; keeps the last task of each dedup key (the earlier ones are deduplicated). */
    private Prepared prepareAll(Iterator<TaskSubmission> tasks, TaskOptions base, String forcedGroup,
            Predicate<String> foreignTypes) {
        long now = clock.millis();
        List<NewTask> valid = new ArrayList<>();
        List<BatchFailure> failed = new ArrayList<>();
        int index = 0;
        while (tasks.hasNext()) {
            TaskSubmission s = tasks.next();
            try {
                valid.add(preparer.prepare(index, s, base, forcedGroup, foreignTypes, now));
            } catch (IllegalArgumentException e) {
                failed.add(new BatchFailure(index, s == null ? null : s.taskType(), e.getMessage()));
            }
            index++;
        }
        DedupPlanner.InBatch inBatch = DedupPlanner.lastWins(valid);
        return new Prepared(index, inBatch.winners(), failed, inBatch.dropped());
    }

    private Uni<Written> write(Prepared prepared, DuplicateStrategy onDuplicate, int chunkSize, Resume resume) {
        String batchId = newBatchId();
        Set<String> groups = prepared.groups();
        if (groups.isEmpty()) {
            return writeChunks(batchId, prepared, onDuplicate, chunkSize, resume);
        }
        GroupsOpened opened = new GroupsOpened();
        return opened.open(groups).chain(() -> writeChunks(batchId, prepared, onDuplicate, chunkSize, resume))
                .onItemOrFailure().call((w, e) -> opened.closeAll())
                .onCancellation().invoke(opened::closeOnCancel);
    }

    /**
     * The groups one submission holds open. A group is opened before the first chunk that adds to it and closed
     * once when the submission ends however it ends (a subscriber's cancellation included): the store's writer runs
     * its jobs in order, so a close queued after an open or a chunk that is still waiting runs after it.
     */
    private final class GroupsOpened {
        private final Set<String> opened = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean closed = new AtomicBoolean();

        Uni<Void> open(Set<String> groups) {
            Set<String> fresh = new LinkedHashSet<>();
            for (String g : groups) {
                if (!opened.contains(g)) {
                    fresh.add(g);
                }
            }
            if (fresh.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            return writes(w -> w.openGroups(fresh)).onSubscription().invoke(() -> opened.addAll(fresh));
        }

        Uni<Void> closeAll() {
            if (opened.isEmpty() || !closed.compareAndSet(false, true)) {
                return Uni.createFrom().voidItem();
            }
            return writes(w -> w.closeGroups(Set.copyOf(opened)));
        }

        /**
         * Not {@code onTermination().call}: that holds the cancellation back until the close is done, and the chain
         * would meanwhile go on to write its next chunk after the close.
         */
        void closeOnCancel() {
            closeAll().subscribe().with(v -> {
            }, e -> LOG.errorf(e, "Cannot close the groups %s of a cancelled submission", opened));
        }
    }

    /**
     * The submission id of a resumable submission and the number of tasks it has ({@code null}: a stream, whose
     * chunks are checked one by one).
     */
    private record Resume(String submissionId, Integer taskCount) {
        static Resume of(String submissionId, Integer taskCount) {
            return submissionId == null ? null : new Resume(submissionId, taskCount);
        }

        ChunkReceipt receipt(List<NewTask> chunk, long expiredBefore) {
            return ChunkReceipt.of(submissionId, taskCount, chunk, expiredBefore);
        }
    }

    private Uni<Written> writeChunks(String batchId, Prepared prepared, DuplicateStrategy onDuplicate, int chunkSize,
            Resume resume) {
        Written written = new Written(batchId, prepared);
        List<List<NewTask>> chunks = new ArrayList<>();
        for (int i = 0; i < prepared.tasks.size(); i += chunkSize) {
            chunks.add(prepared.tasks.subList(i, Math.min(prepared.tasks.size(), i + chunkSize)));
        }
        long start = System.nanoTime();
        if (chunks.isEmpty()) {
            record(written, start);
            return Uni.createFrom().item(written);
        }
        return Multi.createFrom().iterable(chunks)
                .onItem().transformToUniAndConcatenate(chunk -> Uni.createFrom().context(ctx -> {
                    CallerTransaction tx = joined(ctx);
                    Uni<Written> write = (tx == null ? store : store.joining(tx))
                            .insertChunk(written.batchId, chunk, onDuplicate, resume == null ? null
                                    : resume.receipt(chunk, clock.millis() - config.submission().retention().toMillis()))
                            .map(result -> {
                                committed(chunk, result, written);
                                return written;
                            });
                    // in the caller's transaction a failed statement has aborted it: the whole call fails with it;
                    // a submission id used for other tasks fails the call, which then writes nothing more
                    return tx != null ? write : write.onFailure(e -> !(e instanceof SubmissionMismatchException))
                            .recoverWithItem(e -> {
                        LOG.errorf(e, "Batch %s: a chunk of %d tasks was rolled back", batchId, chunk.size());
                        written.rolledBack(chunk, e);
                        for (NewTask t : chunk) {
                            written.failed.add(new BatchFailure(t.index(), t.taskType(),
                                    "not written, its chunk was rolled back: " + e.getMessage()));
                        }
                        return written;
                    });
                }))
                .collect().last()
                .replaceWith(written)
                .invoke(w -> record(w, start));
    }

    private void record(Written w, long startNanos) {
        long nanos = System.nanoTime() - startNanos;
        long ms = nanos / 1_000_000;
        recentBatches.record(new RecentBatches.Batch(w.batchId, clock.millis(), w.count, w.submitted.size(),
                w.deduplicated.size(), w.superseded.size(), w.failed.size(), ms));
        metrics.batch(w.count, nanos);
        if (w.lost > 0) {
            LOG.infof("Batch %s: %d task(s), %d submitted, %d deduplicated, %d superseded, %d failed, %d lost with "
                    + "their rolled-back chunks, in %d ms", w.batchId, w.count, w.submitted.size(),
                    w.deduplicated.size(), w.superseded.size(), w.failed.size(), w.lost, ms);
        } else {
            LOG.infof("Batch %s: %d task(s), %d submitted, %d deduplicated, %d superseded, %d failed in %d ms",
                    w.batchId, w.count, w.submitted.size(), w.deduplicated.size(), w.superseded.size(),
                    w.failed.size(), ms);
        }
    }

    private void committed(List<NewTask> chunk, ChunkResult result, Written written) {
        if (result.batchId() != null) {
            written.batchId = result.batchId();
        }
        String batchId = written.batchId;
        List<TaskId> ids = new ArrayList<>(chunk.size());
        List<Placement> placements = result.placements();
        Map<String, Long> byType = metrics.enabled() && !result.replayed() ? new HashMap<>() : null;
        for (int i = 0; i < placements.size(); i++) {
            Placement p = placements.get(i);
            NewTask t = chunk.get(i);
            if (byType != null && (p.kind() == Placement.Kind.INSERTED || p.kind() == Placement.Kind.SUPERSEDED)) {
                byType.merge(t.taskType(), 1L, Long::sum);
            }
            switch (p.kind()) {
                case INSERTED -> ids.add(p.id());
                case SUPERSEDED -> {
                    ids.add(p.id());
                    written.superseded.add(new Superseded(p.id(), p.other()));
                }
                case SKIPPED -> written.deduplicated.add(new Dropped(t.index(), t.dedupKey(), -1));
                case FAILED -> written.failed.add(new BatchFailure(t.index(), t.taskType(), p.message()));
            }
            if (written.tracksHandles) {
                written.idByIndex.put(t.index(), p.id() != null ? p.id() : p.other());
                written.typeByIndex.put(t.index(), t.taskType());
            }
        }
        written.submitted.addAll(ids);
        if (result.replayed()) {
            LOG.debugf("Batch %s: a chunk of %d tasks was committed before, by an earlier call with its submission id",
                    batchId, chunk.size());
            return;
        }
        if (byType != null) {
            byType.forEach(metrics::submitted);
        }
        LOG.debugf("Batch %s: committed a chunk of %d tasks (%d new)", batchId, chunk.size(), ids.size());
        events.emit(new TaskEvent.BatchSubmitted(batchId, ids.size(), List.copyOf(ids)));
        for (TaskId running : result.supersededRunning()) {
            dispatcher.requestCancel(running);
        }
        dispatcher.scheduleDue(result.earliestDue());
        dispatcher.wake();
    }

    private int chunkSize(BatchSubmission batch) {
        return batch.chunkSize() != null ? batch.chunkSize() : config.batch().chunkSize();
    }

    // ---------------------------------------------------------------- StoreListener

    @Override
    public void completed(List<Completion> applied, List<GroupSummary> completedGroups) {
        dispatcher.committed(applied);
        List<TaskId> finals = new ArrayList<>(applied.size());
        for (Completion c : applied) {
            if (c.state().isFinal()) {
                finals.add(c.id());
            }
        }
        awaiters.finished(finals);
        groupsCompleted(completedGroups);
    }

    @Override
    public void finishedWithoutRunning(List<Ended> tasks, List<GroupSummary> completedGroups) {
        List<TaskId> ids = new ArrayList<>(tasks.size());
        for (Ended t : tasks) {
            ids.add(t.id());
            metrics.ended(t.taskType(), t.state(), 1);
            // superseded is a cancellation by a newer task with the same dedup key
            events.emit(t.state() == TaskState.FAILED
                    ? new TaskEvent.TaskFailed(t.id(), t.taskType(), t.attempts(), t.error(), false)
                    : new TaskEvent.TaskCancelled(t.id(), t.taskType()));
        }
        awaiters.finished(ids);
        groupsCompleted(completedGroups);
    }

    @Override
    public void tasksWaiting() {
        dispatcher.wake();
    }

    private void groupsCompleted(List<GroupSummary> summaries) {
        if (!summaries.isEmpty()) {
            dispatcher.wake(); // the transaction that completed them queued their callbacks
        }
        for (GroupSummary s : summaries) {
            events.emit(new TaskEvent.GroupCompleted(s));
            CompletableFuture<GroupSummary> waiter = groupWaiters.remove(s.groupId());
            if (waiter != null) {
                store.groupSummary(s.groupId()).subscribe().with(waiter::complete, waiter::completeExceptionally);
            }
        }
    }

    /** Emits the group's summary once it is complete (every task final and no submission still adding to it). */
    Uni<GroupSummary> awaitGroup(String groupId) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<GroupSummary> future = groupWaiters.computeIfAbsent(groupId,
                    k -> new CompletableFuture<>());
            checkGroup(groupId, future);
            return Uni.createFrom().completionStage(future.copy());
        });
    }

    private void checkGroup(String groupId, CompletableFuture<GroupSummary> future) {
        store.groupOpen(groupId).subscribe().with(open -> {
            if (open) {
                return;
            }
            store.groupSummary(groupId).subscribe().with(summary -> {
                if (summary == null) {
                    groupWaiters.remove(groupId, future);
                    future.completeExceptionally(new IllegalArgumentException("No group with id " + groupId));
                } else if (summary.done()) {
                    groupWaiters.remove(groupId, future);
                    future.complete(summary);
                }
            }, future::completeExceptionally);
        }, future::completeExceptionally);
    }

    private void recheckGroups() {
        groupWaiters.forEach(this::checkGroup);
    }

    Awaiters awaiters() {
        return awaiters;
    }

    TaskDispatcher dispatcher() {
        return dispatcher;
    }

    /** Queues a FAILED or CANCELLED task again (see {@link TaskStore#retry}) and wakes this node's dispatcher. */
    public Uni<Boolean> retryTask(TaskId id) {
        Objects.requireNonNull(id, "id");
        return store.retry(id).invoke(retried -> {
            if (retried) {
                dispatcher.wake();
            }
        });
    }

    Uni<Boolean> cancelTask(TaskId id) {
        return store.cancel(id).map(result -> switch (result) {
            case CANCELLED -> true;
            case REQUESTED -> {
                dispatcher.requestCancel(id);
                yield true;
            }
            default -> false;
        });
    }

    // ---------------------------------------------------------------- threads

    /** Runs CPU work (validation, JSON) off the caller's thread, which may be an event loop. */
    private static <T> Uni<T> offload(java.util.function.Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /**
     * Emits on the subscriber's Vert.x context if it has one, else on a worker thread. When the caller is inside
     * a transaction the store can join (Hibernate Reactive's, on PostgreSQL), the submission's writes go into it.
     */
    <T> Uni<T> deliver(Uni<T> uni) {
        return Uni.createFrom().context(ctx -> {
            joinCallerTransaction(ctx);
            return uni.emitOn(callerExecutor());
        });
    }

    <T> Multi<T> deliverMulti(Multi<T> multi) {
        return Multi.createFrom().context(ctx -> {
            joinCallerTransaction(ctx);
            return multi.emitOn(callerExecutor());
        });
    }

    private static final String CALLER_TRANSACTION = "taskqueue.caller-transaction";

    /** On the caller's thread, at subscription: the only place its transaction can be found. */
    private void joinCallerTransaction(io.smallrye.mutiny.Context ctx) {
        CallerTransaction tx = transactions.current();
        if (tx != null) {
            LOG.debugf("Submitting in %s: the tasks are written when it commits", tx.description());
            ctx.put(CALLER_TRANSACTION, tx);
        }
    }

    private static CallerTransaction joined(io.smallrye.mutiny.Context ctx) {
        return ctx.getOrElse(CALLER_TRANSACTION, () -> null);
    }

    /** The writes of the submission being subscribed to: in the caller's transaction when it joined one. */
    private <T> Uni<T> writes(java.util.function.Function<TaskWrites, Uni<T>> write) {
        return Uni.createFrom().context(ctx -> {
            CallerTransaction tx = joined(ctx);
            return write.apply(tx == null ? store : store.joining(tx));
        });
    }

    private static Executor callerExecutor() {
        Context context = Vertx.currentContext();
        if (context != null) {
            return command -> context.runOnContext(v -> command.run());
        }
        return Infrastructure.getDefaultExecutor();
    }

    private static String newBatchId() {
        return UUID.randomUUID().toString();
    }

    private static String newGroupId() {
        return UUID.randomUUID().toString();
    }

    // ---------------------------------------------------------------- batch state

    /** Validated tasks (input indexes kept) and the failures found. */
    private static final class Prepared {
        final int count;
        final List<NewTask> tasks;
        final List<BatchFailure> failed;
        final List<Dropped> dropped;
        /** Whether the caller wants a handle per input (map, group), which costs a map entry per task. */
        boolean wantsHandles;

        Prepared(int count, List<NewTask> tasks, List<BatchFailure> failed, List<Dropped> dropped) {
            this.count = count;
            this.tasks = tasks;
            this.failed = failed;
            this.dropped = dropped;
        }

        /** The groups these tasks join. */
        Set<String> groups() {
            Set<String> groups = new LinkedHashSet<>();
            for (NewTask t : tasks) {
                if (t.groupId() != null) {
                    groups.add(t.groupId());
                }
            }
            return groups;
        }

        /** The same tasks with input indexes moved by {@code offset} (a later chunk of a stream). */
        Prepared shift(int offset) {
            if (offset == 0) {
                return this;
            }
            List<NewTask> moved = new ArrayList<>(tasks.size());
            for (NewTask t : tasks) {
                moved.add(new NewTask(t.index() + offset, t.taskType(), t.payload(), t.dedupKey(), t.groupId(),
                        t.concurrencyKey(), t.priority(), t.maxRetries(), t.retryPolicy(), t.timeoutMs(), t.dueAt(),
                        t.name()));
            }
            List<BatchFailure> f = new ArrayList<>(failed.size());
            for (BatchFailure b : failed) {
                f.add(new BatchFailure(b.index() + offset, b.taskType(), b.message()));
            }
            List<Dropped> d = new ArrayList<>(dropped.size());
            for (Dropped x : dropped) {
                d.add(new Dropped(x.index() + offset, x.key(), x.winnerIndex() + offset));
            }
            return new Prepared(count, moved, f, d);
        }

        /** All-or-nothing calls (map, group): any invalid task fails the whole call, naming its index. */
        Prepared requireValid(String what) {
            if (!failed.isEmpty()) {
                BatchFailure first = failed.get(0);
                throw new IllegalArgumentException(what + ": input " + first.index() + " is invalid: "
                        + first.message() + (failed.size() > 1 ? " (and " + (failed.size() - 1) + " more)" : "")
                        + "; nothing was submitted");
            }
            wantsHandles = true;
            return this;
        }
    }

    /** What the chunks of one batch did, gathered as they commit. */
    private static final class Written {
        /** The batch id, or the one a resumed submission was first written under. */
        String batchId;
        final int count;
        final boolean tracksHandles;
        final List<TaskId> submitted;
        final List<Dropped> deduplicated = new ArrayList<>();
        final List<Superseded> superseded = new ArrayList<>();
        final List<BatchFailure> failed = new ArrayList<>();
        final Map<Integer, TaskId> idByIndex = new HashMap<>();
        final Map<Integer, String> typeByIndex = new HashMap<>();
        final List<Dropped> droppedInBatch;
        /** Input index ranges of the chunks that were rolled back, and why the first was. */
        final List<String> lostRanges = new ArrayList<>();
        int lost;
        Throwable lostCause;

        Written(String batchId, Prepared prepared) {
            this.batchId = batchId;
            this.tracksHandles = prepared.wantsHandles;
            this.submitted = new ArrayList<>(prepared.tasks.size());
            this.count = prepared.count;
            this.failed.addAll(prepared.failed);
            this.deduplicated.addAll(prepared.dropped);
            this.droppedInBatch = prepared.dropped;
        }

        BatchOutcome outcome() {
            deduplicated.sort(Comparator.comparingInt(Dropped::index));
            failed.sort(Comparator.comparingInt(BatchFailure::index));
            List<String> keys = new ArrayList<>(deduplicated.size());
            for (Dropped d : deduplicated) {
                keys.add(d.key());
            }
            return new BatchOutcome(batchId, submitted, keys, superseded, failed);
        }

        void rolledBack(List<NewTask> chunk, Throwable cause) {
            int first = chunk.get(0).index();
            int last = chunk.get(chunk.size() - 1).index();
            lostRanges.add(first == last ? Integer.toString(first) : first + "-" + last);
            lost += chunk.size();
            if (lostCause == null) {
                lostCause = cause;
            }
        }

        /** All-or-nothing calls (map, group) fail when a chunk was rolled back; committed chunks stay. */
        Written requireAllWritten(String what) {
            if (lost > 0) {
                throw new IllegalStateException(what + ": " + lost + " of " + count + " tasks were not written (inputs "
                        + String.join(", ", lostRanges) + "), their chunk was rolled back: " + lostCause.getMessage()
                        + "; the tasks of the other chunks were submitted", lostCause);
            }
            return this;
        }

        /** A handle per input in input order; a deduplicated input gets the handle of the task that won. */
        List<TaskHandle> handles(TaskQueueImpl queue) {
            for (Dropped d : droppedInBatch) {
                TaskId winner = idByIndex.get(d.winnerIndex());
                if (winner != null) {
                    idByIndex.put(d.index(), winner);
                    typeByIndex.put(d.index(), typeByIndex.get(d.winnerIndex()));
                }
            }
            List<TaskHandle> handles = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                TaskId id = idByIndex.get(i);
                if (id != null) {
                    handles.add(queue.handle(id, typeByIndex.get(i)));
                }
            }
            return handles;
        }
    }
}
