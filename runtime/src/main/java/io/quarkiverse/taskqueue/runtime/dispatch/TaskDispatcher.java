package io.quarkiverse.taskqueue.runtime.dispatch;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.quarkiverse.taskqueue.RetryPolicy;
import io.quarkiverse.taskqueue.TaskEvent;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.runtime.QueueClock;
import io.quarkiverse.taskqueue.runtime.TaskEvents;
import io.quarkiverse.taskqueue.runtime.config.TaskQueueConfig;
import io.quarkiverse.taskqueue.runtime.observability.TaskMetrics;
import io.quarkiverse.taskqueue.runtime.handler.HandlerMethod;
import io.quarkiverse.taskqueue.runtime.handler.ReturnKind;
import io.quarkiverse.taskqueue.runtime.handler.TaskHandlerRegistry;
import io.quarkiverse.taskqueue.runtime.store.ClaimBudget;
import io.quarkiverse.taskqueue.runtime.store.ClaimedTask;
import io.quarkiverse.taskqueue.runtime.store.Completion;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * Claims tasks and runs them. Woken by commits (no polling delay in one process); claims at most as many tasks as
 * it has free worker slots when the claim runs, so priority holds at the moment a worker frees up. Blocking
 * handlers run on a fixed pool of {@code worker.pool-size} threads, non-blocking ones on a Vert.x event loop.
 * Completions go to the store, which writes them in groups.
 */
public final class TaskDispatcher implements ClaimBudget {

    private static final Logger LOG = Logger.getLogger(TaskDispatcher.class);
    private static final int MAX_TRACE = 4000;

    private final Vertx vertx;
    private final TaskStore store;
    private final TaskHandlerRegistry registry;
    private final TaskEvents events;
    private final TaskQueueConfig config;
    private final QueueClock clock;
    private final String owner = Owner.create();
    private final long leaseMillis;
    private final RetryPolicy defaultRetryPolicy;
    private final Map<String, Integer> keyLimits = new HashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> keyRunning = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TaskId, RunningTask> running = new ConcurrentHashMap<>();
    /** Tasks that finished here but whose outcome the store has not committed yet: their leases still count. */
    private final Set<TaskId> recording = ConcurrentHashMap.newKeySet();
    private final AtomicInteger freeSlots;
    private final AtomicBoolean claimInFlight = new AtomicBoolean();
    private final AtomicBoolean wakeRequested = new AtomicBoolean();
    private final AtomicLong dueTimerAt = new AtomicLong(Long.MAX_VALUE);
    private final List<Long> periodicTimers = new ArrayList<>();
    private final TaskMetrics metrics;
    /** When the last claim round ended (nanoTime), and when the one in flight began (0: none). */
    private volatile long lastClaimEnded = System.nanoTime();
    private volatile long claimStarted;
    private volatile boolean accepting;
    private WorkerExecutor workers;
    private Context loop;

    public TaskDispatcher(Vertx vertx, TaskStore store, TaskHandlerRegistry registry, TaskEvents events,
            TaskQueueConfig config, QueueClock clock, TaskMetrics metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.clock = clock;
        this.store = store;
        this.registry = registry;
        this.events = events;
        this.config = config;
        this.leaseMillis = config.leaseDuration().toMillis();
        this.freeSlots = new AtomicInteger(config.worker().poolSize());
        TaskQueueConfig.Retry r = config.retry();
        this.defaultRetryPolicy = RetryPolicy.exponential(r.initial(), r.multiplier()).withMaxInterval(r.maxInterval())
                .withJitter(r.jitter());
        config.concurrency().forEach((key, c) -> keyLimits.put(key, c.max()));
    }

    /** Starts claiming. */
    public void start() {
        int poolSize = config.worker().poolSize();
        workers = vertx.createSharedWorkerExecutor("taskqueue-worker", poolSize, 1, TimeUnit.DAYS);
        loop = vertx.getOrCreateContext();
        accepting = true;
        store.claimOnWrite(this, owner, leaseMillis, this::runClaimedOnWrite);
        store.recoverExpiredLeases().subscribe().with(n -> promote(), failed("recovering expired leases"));
        periodicTimers.add(vertx.setPeriodic(config.pollInterval().toMillis(), id -> promote()));
        long heartbeat = Math.max(100, leaseMillis / 3);
        periodicTimers.add(vertx.setPeriodic(heartbeat, id -> renewLeases()));
        periodicTimers.add(vertx.setPeriodic(Math.max(1000, leaseMillis), id -> store.recoverExpiredLeases()
                .subscribe().with(n -> {
                    if (n > 0) {
                        wake();
                    }
                }, failed("recovering expired leases"))));
    }

    /** Stops claiming, waits for running tasks up to the shutdown timeout, then puts the rest back in the queue. */
    public void stop() {
        accepting = false;
        periodicTimers.forEach(vertx::cancelTimer);
        long deadline = System.currentTimeMillis() + config.shutdownTimeout().toMillis();
        while (!running.isEmpty() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!running.isEmpty()) {
            List<TaskId> left = new ArrayList<>(running.keySet());
            LOG.infof("Shutting down with %d task(s) still running: they go back to the queue", left.size());
            for (RunningTask rt : running.values()) {
                rt.finished.set(true);
                rt.stop();
            }
            store.release(left).await().atMost(Duration.ofSeconds(10));
        }
        if (workers != null) {
            workers.close();
        }
    }

    public void wake() {
        if (!accepting) {
            return;
        }
        wakeRequested.set(true);
        if (freeSlots.get() > 0 && claimInFlight.compareAndSet(false, true)) {
            wakeRequested.set(false);
            claimStarted = System.nanoTime();
            store.claim(this, owner, leaseMillis).subscribe().with(this::started, e -> {
                claimEnded();
                failed("claiming tasks").accept(e);
            });
        }
    }

    /** Arranges for delayed tasks due at {@code dueAt} (epoch millis) to be queued then. */
    public void scheduleDue(long dueAt) {
        if (dueAt <= 0 || !accepting) {
            return;
        }
        long current;
        do {
            current = dueTimerAt.get();
            if (dueAt >= current) {
                return;
            }
        } while (!dueTimerAt.compareAndSet(current, dueAt));
        long delay = Math.max(1, dueAt - clock.millis());
        vertx.setTimer(delay, id -> {
            dueTimerAt.compareAndSet(dueAt, Long.MAX_VALUE);
            promote();
        });
    }

    private void promote() {
        if (!accepting) {
            return;
        }
        store.promoteDue().subscribe().with(next -> {
            wake();
            scheduleDue(next);
        }, failed("queueing due tasks"));
    }

    /** Asks a task running on this node to stop; it ends CANCELLED. */
    public void requestCancel(TaskId id) {
        RunningTask rt = running.get(id);
        if (rt != null) {
            rt.cancelRequested = true;
            rt.stop();
            if (!rt.handler.blocking()) {
                finish(rt, null, null);
            }
        }
    }

    // ---------------------------------------------------------------- ClaimBudget

    @Override
    public int reserveSlots() {
        return accepting ? freeSlots.getAndSet(0) : 0;
    }

    @Override
    public void releaseSlots(int unused) {
        if (unused > 0) {
            freeSlots.addAndGet(unused);
        }
    }

    @Override
    public Map<String, Integer> keyCapacity() {
        if (keyLimits.isEmpty()) {
            return Map.of();
        }
        Map<String, Integer> capacity = new HashMap<>();
        keyLimits.forEach((key, max) -> {
            AtomicInteger n = keyRunning.get(key);
            capacity.put(key, max - (n == null ? 0 : n.get()));
        });
        return capacity;
    }

    // ---------------------------------------------------------------- running

    private void started(List<ClaimedTask> claimed) {
        try {
            run(claimed);
        } finally {
            claimEnded();
        }
        if (wakeRequested.get() || !claimed.isEmpty()) {
            wake();
        }
    }

    private void run(List<ClaimedTask> claimed) {
        countAndReserveKeys(claimed);
        for (ClaimedTask task : claimed) {
            run(task, true);
        }
    }

    private void countAndReserveKeys(List<ClaimedTask> claimed) {
        if (metrics.enabled()) {
            countStarted(claimed);
        }
        for (ClaimedTask task : claimed) {
            if (task.concurrencyKey() != null && keyLimits.containsKey(task.concurrencyKey())) {
                keyRunning.computeIfAbsent(task.concurrencyKey(), k -> new AtomicInteger()).incrementAndGet();
            }
        }
    }

    private void claimEnded() {
        lastClaimEnded = System.nanoTime();
        claimStarted = 0;
        claimInFlight.set(false);
    }

    /** What the readiness check needs to tell a dispatcher that works from one that stalled. */
    public Liveness liveness() {
        long now = System.nanoTime();
        long inFlight = claimStarted;
        return new Liveness(accepting, freeSlots.get(), running.size(),
                Duration.ofNanos(now - lastClaimEnded), inFlight == 0 ? Duration.ZERO : Duration.ofNanos(now - inFlight));
    }

    /**
     * @param sinceLastClaim time since the last claim round ended
     * @param claimRunningFor how long the claim in flight has taken (zero: none)
     */
    public record Liveness(boolean accepting, int freeSlots, int running, Duration sinceLastClaim,
            Duration claimRunningFor) {
    }

    /**
     * Runs tasks the store claimed as it wrote their submits, before it answers them; what it returns, the tasks'
     * started events, the store runs once they are answered, so that each task's "submitted" comes first.
     */
    private Runnable runClaimedOnWrite(List<ClaimedTask> claimed) {
        countAndReserveKeys(claimed);
        for (ClaimedTask task : claimed) {
            run(task, false);
        }
        return () -> {
            for (ClaimedTask task : claimed) {
                events.emit(new TaskEvent.TaskStarted(task.id(), task.taskType(), task.attempt()));
            }
        };
    }

    private void run(ClaimedTask task, boolean emitStarted) {
        HandlerMethod handler = registry.get(task.taskType());
        Long timeout = task.timeoutMs() != null ? task.timeoutMs()
                : config.timeout().map(Duration::toMillis).orElse(null);
        RunningTask rt = new RunningTask(task, handler, timeout);
        running.put(task.id(), rt);
        if (emitStarted) {
            events.emit(new TaskEvent.TaskStarted(task.id(), task.taskType(), task.attempt()));
        }
        if (handler == null) {
            finish(rt, null, new IllegalStateException("no @TaskHandler for task type '" + task.taskType()
                    + "' in this application"));
            return;
        }
        try {
            if (handler.blocking()) {
                workers.executeBlocking(() -> {
                    runBlocking(rt);
                    return null;
                }, false);
            } else {
                VertxContext.createNewDuplicatedContext(loop).runOnContext(v -> runNonBlocking(rt));
            }
        } catch (RuntimeException e) {
            finish(rt, null, e); // e.g. the worker pool is closing
        }
    }

    /** The timeout clock starts when the handler does, not when the task was claimed. */
    private void startClock(RunningTask rt) {
        Long timeout = rt.timeoutMs;
        if (timeout != null) {
            rt.deadline = Instant.now().plusMillis(timeout);
            rt.timerId = vertx.setTimer(Math.max(1, timeout), id -> timedOut(rt, timeout));
        }
    }

    private void runBlocking(RunningTask rt) {
        rt.thread = Thread.currentThread();
        if (rt.finished.get()) {
            rt.thread = null;
            return;
        }
        if (rt.cancelRequested) {
            rt.thread = null;
            finish(rt, null, null);
            return;
        }
        startClock(rt);
        Object value = null;
        Throwable error = null;
        try {
            value = awaitOnWorker(rt.handler.invoke(rt.task.payload(), rt), rt.handler.returnKind());
        } catch (Throwable e) {
            error = e;
        } finally {
            boolean release;
            synchronized (rt) {
                rt.thread = null;
                Thread.interrupted();
                release = rt.releaseSlotOnReturn;
            }
            if (release) {
                releaseSlot(rt); // the attempt had ended (timeout, shutdown) while this thread was still in it
            }
        }
        finish(rt, value, error);
    }

    /**
     * A {@code @Blocking} handler may return a {@code Uni} or {@code CompletionStage}: its result is waited for on
     * the worker thread, so a cancellation or timeout interrupts it like any other blocking handler.
     */
    private static Object awaitOnWorker(Object returned, ReturnKind kind) throws Throwable {
        switch (kind) {
            case UNI -> {
                if (returned == null) {
                    throw new NullPointerException("the handler returned null instead of a Uni");
                }
                try {
                    return ((Uni<?>) returned).await().indefinitely();
                } catch (CompletionException e) {
                    throw unwrap(e);
                }
            }
            case COMPLETION_STAGE -> {
                if (returned == null) {
                    throw new NullPointerException("the handler returned null instead of a CompletionStage");
                }
                try {
                    return ((CompletionStage<?>) returned).toCompletableFuture().get();
                } catch (ExecutionException e) {
                    throw e.getCause() != null ? e.getCause() : e;
                }
            }
            default -> {
                return returned;
            }
        }
    }

    private void runNonBlocking(RunningTask rt) {
        if (rt.finished.get()) {
            return;
        }
        startClock(rt);
        Object returned;
        try {
            returned = rt.handler.invoke(rt.task.payload(), rt);
        } catch (Throwable e) {
            finish(rt, null, e);
            return;
        }
        switch (rt.handler.returnKind()) {
            case UNI -> {
                if (returned == null) {
                    finish(rt, null, new NullPointerException("the handler returned null instead of a Uni"));
                } else {
                    rt.subscription = ((Uni<?>) returned).subscribe().with(v -> finish(rt, v, null),
                            e -> finish(rt, null, e));
                }
            }
            case COMPLETION_STAGE -> {
                if (returned == null) {
                    finish(rt, null, new NullPointerException("the handler returned null instead of a CompletionStage"));
                } else {
                    ((CompletionStage<?>) returned).whenComplete((v, e) -> finish(rt, v, unwrap(e)));
                }
            }
            default -> finish(rt, returned, null);
        }
    }

    private void timedOut(RunningTask rt, long timeoutMs) {
        if (rt.finished.get()) {
            return;
        }
        rt.timeout = new TimeoutException("timed out after " + timeoutMs + " ms");
        rt.timedOut = true;
        finish(rt, null, rt.timeout);
        rt.stop();
    }

    private void finish(RunningTask rt, Object value, Throwable error) {
        if (!rt.finished.compareAndSet(false, true)) {
            return;
        }
        if (rt.timerId >= 0) {
            vertx.cancelTimer(rt.timerId);
        }
        ClaimedTask task = rt.task;
        if (rt.timedOut) {
            // the handler may have seen the flag and returned before the timer's own finish got here
            value = null;
            error = rt.timeout;
        }
        try {
            recording.add(task.id());
            Completion completion = completion(rt, value, error);
            metrics.attempt(task.taskType(), completion.state(), System.nanoTime() - rt.startedNanos);
            store.complete(completion);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Task %s: its outcome could not be recorded; it will run again when its lease expires",
                    task.id());
        } finally {
            running.remove(task.id(), rt);
            boolean threadBusy;
            synchronized (rt) {
                threadBusy = rt.thread != null && rt.handler != null && rt.handler.blocking();
                rt.releaseSlotOnReturn = threadBusy;
            }
            if (!threadBusy) {
                releaseSlot(rt);
            }
        }
    }

    /**
     * Gives the attempt's worker slot (and its concurrency key's) back. A blocking handler still in its thread
     * after a timeout keeps both until it returns, so the pool never runs more tasks than it has threads.
     */
    private void releaseSlot(RunningTask rt) {
        String key = rt.task.concurrencyKey();
        if (key != null) {
            AtomicInteger n = keyRunning.get(key);
            if (n != null) {
                n.decrementAndGet();
            }
        }
        freeSlots.incrementAndGet();
        wake();
    }

    private Completion completion(RunningTask rt, Object value, Throwable error) {
        ClaimedTask task = rt.task;
        if (rt.cancelRequested && !rt.timedOut) {
            return new Completion(task, TaskState.CANCELLED, null, null, null, null, 0);
        }
        if (error == null) {
            try {
                return new Completion(task, TaskState.SUCCEEDED, rt.handler.resultJson(value), null, null, null, 0);
            } catch (Exception e) {
                error = e;
            }
        }
        return failure(task, error);
    }

    private Completion failure(ClaimedTask task, Throwable error) {
        String message = error.getMessage() != null ? error.getMessage() : error.getClass().getName();
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        String fullTrace = trace.toString();
        String traceText = fullTrace.length() > MAX_TRACE ? fullTrace.substring(0, MAX_TRACE) : fullTrace;
        if (task.attempt() <= task.maxRetries()) {
            RetryPolicy policy = Backoff.decode(task.retryPolicy(), defaultRetryPolicy);
            long due = clock.millis() + Backoff.delayMillis(policy, task.attempt());
            return new Completion(task, TaskState.RETRYING, null, message, error.getClass().getName(), traceText, due);
        }
        return new Completion(task, TaskState.FAILED, null, message, error.getClass().getName(), traceText, 0);
    }

    /** Called after the store committed completions: events, and retries that wait. */
    public void committed(List<Completion> applied) {
        if (metrics.enabled()) {
            countEnded(applied);
        }
        for (Completion c : applied) {
            ClaimedTask t = c.task();
            recording.remove(t.id());
            switch (c.state()) {
                case SUCCEEDED -> events.emit(new TaskEvent.TaskSucceeded(t.id(), t.taskType(), t.attempt()));
                case CANCELLED -> events.emit(new TaskEvent.TaskCancelled(t.id(), t.taskType()));
                case RETRYING -> {
                    events.emit(new TaskEvent.TaskFailed(t.id(), t.taskType(), t.attempt(), c.error(), true));
                    scheduleDue(c.dueAt());
                }
                default -> events.emit(new TaskEvent.TaskFailed(t.id(), t.taskType(), t.attempt(), c.error(), false));
            }
        }
    }

    /** One meter update per run of tasks of one type, not one per task (this runs on the store's thread). */
    private void countStarted(List<ClaimedTask> claimed) {
        String type = null;
        long n = 0;
        for (ClaimedTask t : claimed) {
            if (!t.taskType().equals(type)) {
                if (n > 0) {
                    metrics.started(type, n);
                }
                type = t.taskType();
                n = 0;
            }
            n++;
        }
        if (n > 0) {
            metrics.started(type, n);
        }
    }

    private void countEnded(List<Completion> applied) {
        String type = null;
        TaskState state = null;
        long n = 0;
        for (Completion c : applied) {
            String t = c.task().taskType();
            if (!t.equals(type) || c.state() != state) {
                if (n > 0) {
                    metrics.ended(type, state, n);
                }
                type = t;
                state = c.state();
                n = 0;
            }
            n++;
        }
        if (n > 0) {
            metrics.ended(type, state, n);
        }
    }

    private void renewLeases() {
        if (running.isEmpty() && recording.isEmpty()) {
            return;
        }
        List<TaskId> ids = new ArrayList<>(running.keySet());
        ids.addAll(recording);
        store.renewLeases(ids, owner, leaseMillis).subscribe().with(stop -> stop.forEach(id -> {
            // a recorded outcome no longer holds a lease (committed, or the task was taken back)
            if (!recording.remove(id)) {
                requestCancel(id);
            }
        }), failed("renewing the leases of running tasks"));
    }

    private static Throwable unwrap(Throwable e) {
        if (e instanceof CompletionException && e.getCause() != null) {
            return e.getCause();
        }
        return e;
    }

    private java.util.function.Consumer<Throwable> failed(String operation) {
        return e -> {
            if (accepting) {
                LOG.errorf(e, "TaskQueue dispatcher: %s failed (%s); it is tried again at the next poll, check that "
                        + "the store's database is reachable", operation, unwrap(e).getMessage());
            }
        };
    }
}
