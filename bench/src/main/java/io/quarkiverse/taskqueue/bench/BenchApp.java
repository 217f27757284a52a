package io.quarkiverse.taskqueue.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkus.runtime.QuarkusApplication;
import io.smallrye.mutiny.Multi;

/**
 * One child JVM: runs one scenario against the extension's fresh SQLite file and its plain-JDBC baseline in the
 * same JVM. Round 0 is a warm-up (printed, not counted); rounds 1..{@code bench.rounds} are measured. Between
 * rounds the extension's file is emptied and vacuumed, the baseline's file is recreated.
 */
public class BenchApp implements QuarkusApplication {

    static final int KEYS = 100;
    static final int KEY_MAX = 4;

    private static final int TASKS = Integer.getInteger("bench.tasks", 100_000);
    private static final int SINGLES = Integer.getInteger("bench.singles", 10_000);
    private static final int IN_FLIGHT = Integer.getInteger("bench.in-flight", 64);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int SAMPLES = Integer.getInteger("bench.samples", 1_000);
    private static final String SUCCEEDED_NOOPS = "SELECT count(*) FROM tq_task WHERE type = 'bench_noop' AND state = 4";

    @Inject
    TaskQueue queue;

    /** Only in the build with quarkus-micrometer (bench/target-metrics). */
    @Inject
    Instance<MetricsSwitch> metricsSwitch;

    private Connection ext;
    private List<String> ddl;

    @Override
    public int run(String... args) throws Exception {
        try (Connection c = RawSqlite.open(RawSqlite.extensionFile())) {
            ext = c;
            ddl = RawSqlite.schema();
            switch (args[0]) {
                case "submit" -> submit();
                case "map" -> map();
                case "drain" -> drain();
                case "metrics" -> metrics();
                case "latency" -> latency();
                case "mixed" -> mixed();
                case "resume" -> resume();
                case "live" -> live();
                case "stream" -> stream();
                default -> throw new IllegalArgumentException("unknown mode " + Arrays.toString(args));
            }
            return 0;
        } catch (Throwable e) {
            e.printStackTrace(System.out);
            return 1;
        }
    }

    // ---------------------------------------------------------------- 1. submit

    private void submit() throws Exception {
        List<TaskSubmission> keyed = tasks(TASKS, i -> TaskSubmission.of("bench_noop", i).dedupKey("key-" + i));
        Stats batch = new Stats(k(TASKS) + " submitBatch, dedup keys");
        Stats raw = new Stats("raw JDBC");
        Stats minimal = new Stats("raw JDBC, minimal table");
        Stats autocommit = new Stats(k(SINGLES) + " raw JDBC inserts, minimal table, autocommit");
        Stats concurrent = new Stats(k(SINGLES) + " submit(), " + IN_FLIGHT + " in flight");
        Stats sequential = new Stats(k(SINGLES) + " submit(), awaited one by one");
        for (int round = 0; round <= ROUNDS; round++) {
            RawSqlite.reset(ext);
            long t0 = System.nanoTime();
            BatchOutcome outcome = queue.submitBatch(BatchSubmission.create().tasks(keyed)).await().indefinitely();
            long batchNanos = System.nanoTime() - t0;
            expect(outcome.submitted().size(), TASKS, "submitBatch submitted");
            expect(RawSqlite.count(ext, "SELECT count(*) FROM tq_task"), TASKS, "rows after submitBatch");

            long rawNanos;
            try (Connection c = RawSqlite.fresh(ddl)) {
                t0 = System.nanoTime();
                RawSqlite.insertTasks(c, TASKS, "key-", false);
                rawNanos = System.nanoTime() - t0;
                expect(RawSqlite.count(c, "SELECT count(*) FROM tq_task"), TASKS, "raw rows");
            }
            long minimalNanos;
            try (Connection c = RawSqlite.fresh(RawSqlite.MINIMAL_DDL)) {
                t0 = System.nanoTime();
                RawSqlite.insertMinimal(c, TASKS, "key-", false);
                minimalNanos = System.nanoTime() - t0;
                expect(RawSqlite.count(c, "SELECT count(*) FROM tq_task"), TASKS, "minimal rows");
            }
            long autocommitNanos;
            try (Connection c = RawSqlite.fresh(RawSqlite.MINIMAL_DDL)) {
                t0 = System.nanoTime();
                RawSqlite.insertMinimal(c, SINGLES, "s-", true);
                autocommitNanos = System.nanoTime() - t0;
                expect(RawSqlite.count(c, "SELECT count(*) FROM tq_task"), SINGLES, "autocommit rows");
            }

            RawSqlite.reset(ext);
            long concurrentNanos = concurrentSubmits(SINGLES, IN_FLIGHT);
            expect(RawSqlite.count(ext, "SELECT count(*) FROM tq_task"), SINGLES, "rows after concurrent submits");

            RawSqlite.reset(ext);
            t0 = System.nanoTime();
            for (int i = 0; i < SINGLES; i++) {
                queue.submit(TaskSubmission.of("bench_noop", i).dedupKey("s-" + i)).await().indefinitely();
            }
            long sequentialNanos = System.nanoTime() - t0;
            expect(RawSqlite.count(ext, "SELECT count(*) FROM tq_task"), SINGLES, "rows after sequential submits");

            boolean measured = round > 0;
            Report.say("round %d%s: submitBatch %s, raw %s, minimal %s, submit() x%d %s, sequential %s, autocommit %s",
                    round, measured ? "" : " (warm-up)", rate(batch, TASKS, batchNanos, measured),
                    rate(raw, TASKS, rawNanos, measured), rate(minimal, TASKS, minimalNanos, measured), IN_FLIGHT,
                    rate(concurrent, SINGLES, concurrentNanos, measured),
                    rate(sequential, SINGLES, sequentialNanos, measured),
                    rate(autocommit, SINGLES, autocommitNanos, measured));
        }
        String scenario = label("1 submit");
        raw.row(scenario, null, Double.NaN, "");
        minimal.row(scenario, null, Double.NaN, "");
        batch.row(scenario, raw, 0.5, "≥ 0.50× raw");
        batch.row(scenario, minimal, 0.8, "≥ 0.80× minimal");
        concurrent.row(scenario, raw, Double.NaN, "-");
        autocommit.row(scenario, null, Double.NaN, "");
        sequential.row(scenario, autocommit, 0.5, "≥ 0.50× autocommit");
    }

    private long concurrentSubmits(int n, int inFlight) throws Exception {
        Semaphore permits = new Semaphore(inFlight);
        CountDownLatch done = new CountDownLatch(n);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            permits.acquire();
            queue.submit(TaskSubmission.of("bench_noop", i).dedupKey("s-" + i)).subscribe().with(h -> {
                permits.release();
                done.countDown();
            }, e -> {
                failure.set(e);
                permits.release();
                done.countDown();
            });
        }
        done.await();
        long nanos = System.nanoTime() - t0;
        if (failure.get() != null) {
            throw new IllegalStateException("a submit failed", failure.get());
        }
        return nanos;
    }

    // ---------------------------------------------------------------- 2. map

    private void map() throws Exception {
        List<Integer> inputs = new ArrayList<>(TASKS);
        for (int i = 0; i < TASKS; i++) {
            inputs.add(i);
        }
        List<TaskSubmission> same = tasks(TASKS, i -> TaskSubmission.of("bench_noop", i));
        Stats map = new Stats(k(TASKS) + " map()");
        Stats batch = new Stats("submitBatch");
        for (int round = 0; round <= ROUNDS; round++) {
            long mapNanos = 0;
            long batchNanos = 0;
            // alternate the order so that neither always runs first
            for (int step = 0; step < 2; step++) {
                RawSqlite.reset(ext);
                long t0 = System.nanoTime();
                if ((round + step) % 2 == 0) {
                    List<TaskHandle> handles = queue.map("bench_noop", inputs).await().indefinitely();
                    mapNanos = System.nanoTime() - t0;
                    expect(handles.size(), TASKS, "map handles");
                } else {
                    BatchOutcome o = queue.submitBatch(BatchSubmission.create().tasks(same)).await().indefinitely();
                    batchNanos = System.nanoTime() - t0;
                    expect(o.submitted().size(), TASKS, "submitBatch submitted");
                }
                expect(RawSqlite.count(ext, "SELECT count(*) FROM tq_task"), TASKS, "rows");
            }
            boolean measured = round > 0;
            Report.say("round %d%s: map %s, submitBatch %s", round, measured ? "" : " (warm-up)",
                    rate(map, TASKS, mapNanos, measured), rate(batch, TASKS, batchNanos, measured));
        }
        batch.row("2 map", null, Double.NaN, "");
        map.row("2 map", batch, 0.9, "≥ 0.90× submitBatch");
    }

    /** The scenario's label, naming the durability setting when it is not the default. */
    private static String label(String scenario) {
        String synchronous = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.taskqueue.sqlite.synchronous", String.class).orElse("normal");
        return synchronous.equalsIgnoreCase("normal") ? scenario : scenario + " (sync " + synchronous.toUpperCase() + ")";
    }

    // ---------------------------------------------------------------- 3. drain

    private void drain() throws Exception {
        int pool = poolSize();
        Stats raw = new Stats("JDBC claim+complete, 1000/claim");
        Stats rawPool = new Stats("JDBC claim+complete, " + pool + "/claim");
        Stats drain = new Stats(k(TASKS) + " no-op drain, pool " + pool);
        for (int round = 0; round <= ROUNDS; round++) {
            long rawNanos = rawDrain(1000);
            long rawPoolNanos = rawDrain(pool);
            RawSqlite.reset(ext);
            long drainNanos = drainQueue(TASKS, i -> TaskSubmission.of("bench_noop", i));
            boolean measured = round > 0;
            Report.say("round %d%s: JDBC 1000/claim %s, JDBC %d/claim %s, TaskQueue %s", round,
                    measured ? "" : " (warm-up)", rate(raw, TASKS, rawNanos, measured), pool,
                    rate(rawPool, TASKS, rawPoolNanos, measured), rate(drain, TASKS, drainNanos, measured));
        }
        String scenario = label("3 drain");
        raw.row(scenario, null, Double.NaN, "");
        rawPool.row(scenario, raw, Double.NaN, "-");
        boolean met = drain.median() >= 50_000;
        Report.row(scenario, drain.name, Stats.rate(drain.median()),
                Stats.rate(drain.min()) + " – " + Stats.rate(drain.max()),
                Stats.ratio(drain.median() / raw.median()) + " " + raw.name, "≥ 50,000/s", met ? "YES" : "NO");
    }

    private long rawDrain(int claimSize) throws Exception {
        try (Connection c = RawSqlite.fresh(ddl)) {
            RawSqlite.insertTasks(c, TASKS, null, true);
            long t0 = System.nanoTime();
            int drained = RawSqlite.drain(c, claimSize);
            long nanos = System.nanoTime() - t0;
            expect(drained, TASKS, "JDBC drained");
            expect(RawSqlite.count(c, "SELECT count(*) FROM tq_task WHERE state = 4"), TASKS, "JDBC succeeded");
            return nanos;
        }
    }

    /**
     * Builds a backlog of {@code n} tasks while the dispatcher runs, then times its drain: first every worker
     * slot is taken by a gate task (blocked on a latch), so the submitted tasks wait; the clock starts when the
     * gates open and stops when the store shows all {@code n} SUCCEEDED (the handlers' count says when to look).
     */
    private long drainQueue(int n, IntFunction<TaskSubmission> task) throws Exception {
        return drainQueue(BatchSubmission.create().tasks(tasks(n, task)), n, null);
    }

    /**
     * @param callback when not null, attached to the backlog's group before the gates open; it runs the no-op
     *        handler too, and the clock stops after it succeeded
     */
    private long drainQueue(BatchSubmission backlog, int n, TaskSubmission callback) throws Exception {
        int pool = poolSize();
        Probe.gatesStarted = new CountDownLatch(pool);
        Probe.gateOpen = new CountDownLatch(1);
        queue.submitBatch(tasks(pool, i -> TaskSubmission.of("bench_gate", null))).await().indefinitely();
        if (!Probe.gatesStarted.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the gate tasks did not start");
        }
        int runs = callback == null ? n : n + 1;
        CountDownLatch allRan = Probe.expect(runs);
        BatchOutcome o = queue.submitBatch(backlog).await().indefinitely();
        expect(o.submitted().size(), n, "backlog submitted");
        if (callback != null) {
            queue.existingGroup(backlog.groupId()).onComplete(callback).await().indefinitely();
        }
        expect(RawSqlite.count(ext, SUCCEEDED_NOOPS), 0, "tasks run before the gates opened");

        long t0 = System.nanoTime();
        Probe.gateOpen.countDown();
        if (!allRan.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the backlog did not drain in 10 minutes");
        }
        while (RawSqlite.count(ext, SUCCEEDED_NOOPS) < runs) {
            Thread.sleep(1);
        }
        return System.nanoTime() - t0;
    }

    // ---------------------------------------------------------------- 9. live

    /**
     * Submit while the workers run, as users do: {@code submitBatch} of 100,000 no-op tasks with the dispatcher on,
     * timed from the call until the store shows all of them SUCCEEDED. Baseline, in the same round: the same rows
     * inserted and then drained (1,000 per claim) with plain JDBC, timed end to end.
     */
    private void live() throws Exception {
        Stats raw = new Stats("JDBC insert then claim+complete, 1000/claim");
        Stats live = new Stats(k(TASKS) + " submitted while running, to the last SUCCEEDED, pool " + poolSize());
        Stats submitted = new Stats("of which submitBatch returned after");
        List<TaskSubmission> tasks = tasks(TASKS, i -> TaskSubmission.of("bench_noop", i));
        for (int round = 0; round <= ROUNDS; round++) {
            long rawNanos;
            try (Connection c = RawSqlite.fresh(ddl)) {
                long t0 = System.nanoTime();
                RawSqlite.insertTasks(c, TASKS, null, true);
                expect(RawSqlite.drain(c, 1000), TASKS, "JDBC drained");
                rawNanos = System.nanoTime() - t0;
            }
            RawSqlite.reset(ext);
            CountDownLatch allRan = Probe.expect(TASKS);
            long t0 = System.nanoTime();
            BatchOutcome o = queue.submitBatch(BatchSubmission.create().tasks(tasks)).await().indefinitely();
            long submitNanos = System.nanoTime() - t0;
            expect(o.submitted().size(), TASKS, "submitted");
            if (!allRan.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the tasks did not run in 10 minutes");
            }
            while (RawSqlite.count(ext, SUCCEEDED_NOOPS) < TASKS) {
                Thread.sleep(1);
            }
            long liveNanos = System.nanoTime() - t0;
            boolean measured = round > 0;
            Report.say("round %d%s: JDBC insert+drain %s, submitted while running %s (submitBatch returned after %d ms)",
                    round, measured ? "" : " (warm-up)", rate(raw, TASKS, rawNanos, measured),
                    rate(live, TASKS, liveNanos, measured), submitNanos / 1_000_000);
            if (measured) {
                submitted.add(TASKS, submitNanos);
            }
        }
        raw.row("9 live", null, Double.NaN, "");
        boolean met = live.median() >= 60_000;
        Report.row("9 live", live.name, Stats.rate(live.median()),
                Stats.rate(live.min()) + " – " + Stats.rate(live.max()),
                Stats.ratio(live.median() / raw.median()) + " " + raw.name + "; submitBatch returned at "
                        + Stats.rate(submitted.median()),
                "≥ 60,000/s", met ? "YES" : "NO");
    }

    // ---------------------------------------------------------------- 10. stream

    /**
     * Memory of {@code submitStream} (issue 19: the heap stays flat): 100,000 and then 1,000,000 tasks streamed
     * (worker disabled) in a JVM of 128 MB heap, the live heap (used after the last collection, summed over the heap
     * pools) sampled every 10 ms. Flat: the 1,000,000-task stream grows the live heap by at most twice what the
     * 100,000-task one does, plus 16 MB, not ten times (and it fits in the 128 MB at all).
     */
    private void stream() throws Exception {
        long[] growth = new long[2];
        int[] sizes = { TASKS, TASKS * 10 };
        for (int run = 0; run < 2; run++) {
            RawSqlite.reset(ext);
            System.gc();
            long before = liveHeap();
            long[] max = { before };
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    max[0] = Math.max(max[0], liveHeap());
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            int n = sizes[run];
            long t0 = System.nanoTime();
            long submitted = queue.submitStream(Multi.createFrom().range(0, n)
                    .map(i -> TaskSubmission.of("bench_noop", i)), BatchSubmission.create())
                    .collect().in(() -> new long[1], (sum, o) -> sum[0] += o.submitted().size())
                    .await().indefinitely()[0];
            long nanos = System.nanoTime() - t0;
            sampling.set(false);
            sampler.join();
            expect((int) submitted, n, "streamed");
            growth[run] = max[0] - before;
            Report.say("%,d tasks: %s, live heap %d MB before, at most %d MB during (+%d MB)", n,
                    Stats.rate(n / (nanos / 1e9)), before >> 20, max[0] >> 20, growth[run] >> 20);
            Report.row("10 stream", k(n) + " submitStream, worker off", Stats.rate(n / (nanos / 1e9)), "",
                    "live heap +" + (growth[run] >> 20) + " MB (" + (before >> 20) + " → at most " + (max[0] >> 20)
                            + " MB)",
                    run == 0 ? "" : "≤ 2× the 100k growth + 16 MB",
                    run == 0 ? "-" : growth[1] <= 2 * growth[0] + (16L << 20) ? "YES" : "NO");
        }
    }

    /** Heap in use after the last collection of each heap pool: what survives, not garbage waiting. */
    private static long liveHeap() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage after = pool.getCollectionUsage();
            if (pool.getType() == MemoryType.HEAP && after != null) {
                used += after.getUsed();
            }
        }
        return used;
    }

    // ---------------------------------------------------------------- 8. resume

    /**
     * What resumability costs (issue 18), each pair in the same round, alternating which goes first: submitBatch of
     * the keyed tasks of scenario 1 with and without a submissionId (receipts written in each chunk's transaction),
     * and the drain of scenario 3 as one group with and without a completion callback (clock stopped once the
     * callback succeeded).
     */
    private void resume() throws Exception {
        int pool = poolSize();
        List<TaskSubmission> keyed = tasks(TASKS, i -> TaskSubmission.of("bench_noop", i).dedupKey("key-" + i));
        Stats plain = new Stats(k(TASKS) + " submitBatch, dedup keys");
        Stats withId = new Stats(k(TASKS) + " submitBatch, dedup keys, with a submissionId");
        Stats group = new Stats(k(TASKS) + " no-op drain as a group, pool " + pool);
        Stats withCallback = new Stats(k(TASKS) + " no-op drain as a group with a callback, pool " + pool);
        List<Double> submitRatios = new ArrayList<>();
        List<Double> drainRatios = new ArrayList<>();
        for (int round = 0; round <= ROUNDS; round++) {
            long plainNanos = 0;
            long idNanos = 0;
            long groupNanos = 0;
            long callbackNanos = 0;
            for (int step = 0; step < 2; step++) {
                boolean withExtra = (round + step) % 2 == 1;
                RawSqlite.reset(ext);
                BatchSubmission batch = BatchSubmission.create().tasks(keyed);
                if (withExtra) {
                    batch.submissionId("bench-" + round + "-" + step);
                }
                long t0 = System.nanoTime();
                BatchOutcome outcome = queue.submitBatch(batch).await().indefinitely();
                long nanos = System.nanoTime() - t0;
                expect(outcome.submitted().size(), TASKS, "submitBatch submitted");
                if (withExtra) {
                    idNanos = nanos;
                    expect(RawSqlite.count(ext, "SELECT count(*) FROM tq_submission"), 1, "submissions recorded");
                } else {
                    plainNanos = nanos;
                }

                RawSqlite.reset(ext);
                String groupId = "bench-group-" + round + "-" + step;
                nanos = drainQueue(BatchSubmission.create().groupId(groupId)
                        .tasks(tasks(TASKS, i -> TaskSubmission.of("bench_noop", i))), TASKS,
                        withExtra ? TaskSubmission.of("bench_noop", -1) : null);
                if (withExtra) {
                    callbackNanos = nanos;
                } else {
                    groupNanos = nanos;
                }
            }
            boolean measured = round > 0;
            if (measured) {
                submitRatios.add((double) plainNanos / idNanos);
                drainRatios.add((double) groupNanos / callbackNanos);
            }
            Report.say("round %d%s: submitBatch %s, with a submissionId %s; group drain %s, with a callback %s", round,
                    measured ? "" : " (warm-up)", rate(plain, TASKS, plainNanos, measured),
                    rate(withId, TASKS, idNanos, measured), rate(group, TASKS, groupNanos, measured),
                    rate(withCallback, TASKS, callbackNanos, measured));
        }
        plain.row("8 resume", null, Double.NaN, "");
        pairedRow("8 resume", withId, plain, submitRatios, 1 / 1.1, "≤ 10% slower");
        group.row("8 resume", null, Double.NaN, "");
        pairedRow("8 resume", withCallback, group, drainRatios, 0.95, "≥ 0.95× without");
    }

    // ---------------------------------------------------------------- 7. metrics

    /**
     * The drain of scenario 3 with the extension's Micrometer meters off and on, in the same JVM (the build with
     * quarkus-micrometer): each round drains the backlog once with each, alternating which goes first, after the
     * JDBC baseline. A round with meters on checks that {@code taskqueue.tasks.succeeded} and
     * {@code taskqueue.tasks.started} of type bench_noop grew by exactly the tasks drained; one with meters off, that
     * they did not move.
     */
    private void metrics() throws Exception {
        if (!metricsSwitch.isResolvable()) {
            throw new IllegalStateException("mode metrics needs the build with quarkus-micrometer: "
                    + "./mvnw -B -q -f bench/pom.xml package -Dbench.metrics=on (bench/target-metrics)");
        }
        MetricsSwitch meters = metricsSwitch.get();
        Report.say("MeterRegistry: %s", meters.describe());
        int pool = poolSize();
        Stats raw = new Stats("JDBC claim+complete, 1000/claim");
        Stats off = new Stats(k(TASKS) + " no-op drain, pool " + pool + ", meters off");
        Stats on = new Stats(k(TASKS) + " no-op drain, pool " + pool + ", meters ON");
        List<Double> ratios = new ArrayList<>();
        for (int round = 0; round <= ROUNDS; round++) {
            long rawNanos = rawDrain(1000);
            long offNanos = 0;
            long onNanos = 0;
            for (int step = 0; step < 2; step++) {
                boolean metersOn = (round + step) % 2 == 0;
                meters.set(metersOn);
                long succeeded = meters.count("taskqueue.tasks.succeeded", "bench_noop");
                long started = meters.count("taskqueue.tasks.started", "bench_noop");
                RawSqlite.reset(ext);
                long nanos = drainQueue(TASKS, i -> TaskSubmission.of("bench_noop", i));
                long expected = metersOn ? TASKS : 0;
                // the counters are updated after the completions' commit, which drainQueue waits for: allow a moment
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (meters.count("taskqueue.tasks.succeeded", "bench_noop") - succeeded != expected
                        && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                long succeededDelta = meters.count("taskqueue.tasks.succeeded", "bench_noop") - succeeded;
                long startedDelta = meters.count("taskqueue.tasks.started", "bench_noop") - started;
                Report.say("  meters %s: taskqueue.tasks.succeeded{type=bench_noop} +%d, taskqueue.tasks.started +%d",
                        metersOn ? "ON" : "off", succeededDelta, startedDelta);
                expect((int) succeededDelta, (int) expected, "taskqueue.tasks.succeeded delta, meters " + metersOn);
                expect((int) startedDelta, (int) expected, "taskqueue.tasks.started delta, meters " + metersOn);
                if (metersOn) {
                    onNanos = nanos;
                } else {
                    offNanos = nanos;
                }
            }
            meters.set(false);
            boolean measured = round > 0;
            String roundRatio = ratio3((double) offNanos / onNanos);
            if (measured) {
                ratios.add((double) offNanos / onNanos);
            }
            Report.say("round %d%s: JDBC 1000/claim %s, meters off %s, meters ON %s (ON/off %s)", round,
                    measured ? "" : " (warm-up)", rate(raw, TASKS, rawNanos, measured),
                    rate(off, TASKS, offNanos, measured), rate(on, TASKS, onNanos, measured), roundRatio);
        }
        String scenario = label("7 metrics");
        raw.row(scenario, null, Double.NaN, "");
        off.row(scenario, raw, Double.NaN, "-");
        pairedRow(scenario, on, off, ratios, 0.95, "≥ 0.95× off");
    }

    /**
     * A row for a figure measured in the same rounds as its baseline: the ratio of the medians (which the target is
     * checked against), then the median and range of the per-round ratios, each round paired against the machine's
     * load.
     */
    private static void pairedRow(String scenario, Stats measured, Stats baseline, List<Double> ratios, double min,
            String target) {
        List<Double> sorted = ratios.stream().sorted().toList();
        double ratio = measured.median() / baseline.median();
        Report.row(scenario, measured.name, Stats.rate(measured.median()),
                Stats.rate(measured.min()) + " – " + Stats.rate(measured.max()),
                ratio3(ratio) + " " + baseline.name + " (paired rounds: median " + ratio3(median(sorted)) + ", "
                        + ratio3(sorted.get(0)) + " – " + ratio3(sorted.get(sorted.size() - 1)) + ")",
                target, ratio >= min ? "YES" : "NO");
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String ratio3(double r) {
        return String.format(Locale.ROOT, "%.3f×", r);
    }

    // ---------------------------------------------------------------- 4. latency

    /**
     * Submit-to-start of one task on an idle queue. Each TaskQueue sample is followed by a sample of the same
     * path in plain JDBC and threads ({@link RawPipeline}), so that both see the same machine load.
     */
    private void latency() throws Exception {
        int warmup = SAMPLES / 5;
        long[] samples = new long[SAMPLES];
        long[] raw = new long[SAMPLES];
        // bench.cpu-hog: another process keeps one core busy meanwhile (the machine shared with other work)
        Process hog = Boolean.getBoolean("bench.cpu-hog")
                ? new ProcessBuilder("sh", "-c", "while :; do :; done").start()
                : null;
        try (RawPipeline pipeline = new RawPipeline(RawSqlite.fresh(ddl), poolSize())) {
            for (int i = -warmup; i < SAMPLES; i++) {
                Probe.started = new CountDownLatch(1);
                AtomicReference<Throwable> failure = new AtomicReference<>();
                long t0 = System.nanoTime();
                queue.submit("bench_start", i).subscribe().with(h -> {
                }, failure::set);
                if (!Probe.started.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("task did not start in 10 s", failure.get());
                }
                long latency = Probe.startedAt - t0;
                Thread.sleep(2); // the queue goes idle again: completion committed, threads parked
                long rawLatency = pipeline.sample();
                Thread.sleep(2);
                if (i >= 0) {
                    samples[i] = latency;
                    raw[i] = rawLatency;
                }
            }
        } finally {
            if (hog != null) {
                hog.destroyForcibly();
            }
        }
        Arrays.sort(samples);
        Arrays.sort(raw);
        Report.say("TaskQueue submit→start: %d samples > 1 ms, %d > 2 ms, %d > 5 ms; slowest (ms): %s",
                above(samples, 1), above(samples, 2), above(samples, 5), slowest(samples, 12));
        Report.say("JDBC pipeline:          %d samples > 1 ms, %d > 2 ms, %d > 5 ms; slowest (ms): %s",
                above(raw, 1), above(raw, 2), above(raw, 5), slowest(raw, 12));
        String s = hog == null ? "4 latency" : "4 latency (CPU hog)";
        latencyRow(s, "p50", samples, raw, 0.50, 0.5); // issue 19's targets
        latencyRow(s, "p99", samples, raw, 0.99, 5.0);
        latencyRow(s, "max", samples, raw, 1.0, Double.NaN);
    }

    private static void latencyRow(String scenario, String p, long[] sorted, long[] raw, double q, double targetMs) {
        double ms = percentile(sorted, q) / 1e6;
        double rawMs = percentile(raw, q) / 1e6;
        Report.row(scenario, SAMPLES + " × submit→handler start, " + p, String.format(Locale.ROOT, "%.3f ms", ms),
                "", String.format(Locale.ROOT, "%.1f× JDBC pipeline %s %.3f ms", ms / rawMs, p, rawMs),
                Double.isNaN(targetMs) ? "-" : "≤ " + String.format(Locale.ROOT, "%.1f", targetMs) + " ms",
                Double.isNaN(targetMs) ? "-" : ms <= targetMs ? "YES" : "NO");
    }

    private static long above(long[] sorted, double ms) {
        return Arrays.stream(sorted).filter(n -> n > ms * 1e6).count();
    }

    private static String slowest(long[] sorted, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = sorted.length - 1; i >= Math.max(0, sorted.length - n); i--) {
            b.append(String.format(Locale.ROOT, "%.1f ", sorted[i] / 1e6));
        }
        return b.toString().trim();
    }

    private static long percentile(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    // ---------------------------------------------------------------- 5. mixed

    private void mixed() throws Exception {
        int pool = poolSize();
        Stats unlimited = new Stats(k(TASKS) + " no-op drain, no keys, pool " + pool);
        Stats limited = new Stats(k(TASKS) + " over " + KEYS + " keys (i % " + KEYS + ") × max " + KEY_MAX);
        // each key's tasks queued as one block: the head of the queue is always a saturated key
        int block = TASKS / KEYS;
        Stats blocks = new Stats(k(TASKS) + " over " + KEYS + " keys (blocks of " + block + ") × max " + KEY_MAX);
        for (int round = 0; round <= ROUNDS; round++) {
            RawSqlite.reset(ext);
            long unlimitedNanos = drainQueue(TASKS, i -> TaskSubmission.of("bench_noop", i));
            RawSqlite.reset(ext);
            long limitedNanos = drainQueue(TASKS, i -> TaskSubmission.of("bench_noop", i).concurrencyKey("k" + (i % KEYS)));
            RawSqlite.reset(ext);
            long blockNanos = drainQueue(TASKS, i -> TaskSubmission.of("bench_noop", i).concurrencyKey("k" + (i / block)));
            boolean measured = round > 0;
            Report.say("round %d%s: unlimited %s, limited %s, limited in blocks %s", round, measured ? "" : " (warm-up)",
                    rate(unlimited, TASKS, unlimitedNanos, measured), rate(limited, TASKS, limitedNanos, measured),
                    rate(blocks, TASKS, blockNanos, measured));
        }
        unlimited.row("5 mixed", null, Double.NaN, "");
        limited.row("5 mixed", unlimited, 0.8, "≥ 0.80× unlimited");
        blocks.row("5 mixed", unlimited, 0.8, "≥ 0.80× unlimited");
    }

    // ---------------------------------------------------------------- helpers

    private static int poolSize() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.taskqueue.worker.pool-size", Integer.class)
                .orElse(32);
    }

    private static List<TaskSubmission> tasks(int n, IntFunction<TaskSubmission> task) {
        List<TaskSubmission> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(task.apply(i));
        }
        return list;
    }

    private static String rate(Stats stats, int tasks, long nanos, boolean measured) {
        double r = measured ? stats.add(tasks, nanos) : tasks / (nanos / 1e9);
        return Stats.rate(r);
    }

    private static String k(int n) {
        return n % 1000 == 0 ? (n / 1000) + "k" : Integer.toString(n);
    }

    private static void expect(int actual, int expected, String what) {
        if (actual != expected) {
            throw new IllegalStateException(what + ": expected " + expected + ", got " + actual);
        }
    }
}
