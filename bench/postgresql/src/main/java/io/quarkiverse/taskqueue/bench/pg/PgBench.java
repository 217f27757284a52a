package io.quarkiverse.taskqueue.bench.pg;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The PostgreSQL store's figures, each against a baseline measured in the same run. {@code bench.mode}:
 * <ul>
 * <li>{@code submit} (start with {@code quarkus.taskqueue.worker.enabled=false}): 100,000 tasks with dedup keys by
 * {@code submitBatch}, against a raw {@code INSERT ... SELECT FROM unnest} of the same rows into a copy of the
 * task table (same indexes), in the same 10,000-row chunks and one transaction;</li>
 * <li>{@code drain}: 100,000 no-op tasks submitted, then run to the end by this one node;</li>
 * <li>{@code latency}: one task at a time, from {@code submit} to its handler starting.</li>
 * <li>{@code latency-remote} (start with {@code quarkus.taskqueue.worker.enabled=false}): the same, but the task runs
 * in another JVM ({@code bench.mode=worker}, started by this one), woken by NOTIFY; its handler records when it
 * started in a table, compared with the submit time (one machine, one clock).</li>
 * <li>{@code resume}: what resumability costs, each pair in the same round, alternating which goes first: the
 * {@code submit} batch with and without a {@code submissionId}, and the {@code drain} as one group with and without
 * a completion callback (clock stopped when the callback ran).</li>
 * </ul>
 * Warm-up, then the median (and range) of three rounds. The tables are emptied between rounds.
 */
@QuarkusMain
public class PgBench implements QuarkusApplication {

    static final int TASKS = 100_000;
    static final int CHUNK = 10_000;
    static final int ROUNDS = 3;

    @Inject
    TaskQueue queue;

    @Inject
    Pool pool;

    @ConfigProperty(name = "bench.mode", defaultValue = "submit")
    String mode;

    static final AtomicInteger RAN = new AtomicInteger();
    static final ConcurrentHashMap<Integer, Long> STARTED = new ConcurrentHashMap<>();
    static volatile CountDownLatch done = new CountDownLatch(0);

    @TaskHandler("bench_noop")
    void noop(int n) {
        if (RAN.incrementAndGet() >= TASKS) {
            done.countDown();
        }
    }

    static volatile CountDownLatch callbackRan = new CountDownLatch(0);

    @TaskHandler("bench_callback")
    void callback(int n) {
        callbackRan.countDown();
    }

    @TaskHandler("bench_probe")
    void probe(int n) {
        STARTED.put(n, System.nanoTime());
    }

    @TaskHandler("bench_remote_probe")
    void remoteProbe(int n) {
        long at = epochMicros();
        pool.preparedQuery("INSERT INTO bench_started (n, at_micros) VALUES ($1, $2)").execute(Tuple.of(n, at))
                .await().indefinitely();
    }

    static long epochMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    /** A node that only runs tasks, until it is stopped. */
    private void worker() throws InterruptedException {
        System.out.println("WORKER READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private void latencyRemote() throws Exception {
        empty();
        sql("DROP TABLE IF EXISTS bench_started");
        sql("CREATE TABLE bench_started (n int PRIMARY KEY, at_micros bigint NOT NULL)");
        List<String> command = new ArrayList<>(List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dbench.mode=worker", "-jar", System.getProperty("bench.jar",
                        "bench/postgresql/target/quarkus-app/quarkus-run.jar")));
        Process worker = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (java.io.BufferedReader out = new java.io.BufferedReader(
                new java.io.InputStreamReader(worker.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.contains("WORKER READY")) {
                System.out.println("worker: " + line);
            }
            if (line == null) {
                throw new IllegalStateException("the worker JVM stopped before it was ready");
            }
            int samples = 1_200;
            long[] submitted = new long[samples];
            for (int i = 0; i < samples; i++) {
                submitted[i] = epochMicros();
                queue.submit("bench_remote_probe", i).await().indefinitely();
                Thread.sleep(10); // an idle queue: each task is alone
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (pool.query("SELECT count(*) FROM bench_started").execute().await().indefinitely().iterator()
                    .next().getLong(0) < samples) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the worker did not run every probe within 60 s");
                }
                Thread.sleep(100);
            }
            List<Double> micros = new ArrayList<>();
            pool.query("SELECT n, at_micros FROM bench_started WHERE n >= 200").execute().await().indefinitely()
                    .forEach(r -> micros.add((double) (r.getLong(1) - submitted[r.getInteger(0)])));
            micros.sort(null);
            System.out.printf(Locale.ROOT, "| latency | submit -> handler start in another JVM (NOTIFY) | p50 %.2f ms "
                    + "| p99 %.2f ms |%n", micros.get(micros.size() / 2) / 1e3,
                    micros.get(micros.size() * 99 / 100) / 1e3);
        } finally {
            worker.destroy();
            worker.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public int run(String... args) throws Exception {
        switch (mode) {
            case "submit" -> submit();
            case "drain" -> drain();
            case "latency" -> latency();
            case "latency-remote" -> latencyRemote();
            case "worker" -> worker();
            case "resume" -> resume();
            default -> throw new IllegalArgumentException(
                    "bench.mode: submit, drain, latency, latency-remote or resume, not " + mode);
        }
        return 0;
    }

    private void submit() {
        sql("DROP TABLE IF EXISTS bench_raw");
        sql("CREATE TABLE bench_raw (LIKE tq_task INCLUDING ALL)");
        List<Double> raw = new ArrayList<>();
        List<Double> ours = new ArrayList<>();
        for (int round = 0; round <= ROUNDS; round++) {
            empty();
            sql("TRUNCATE bench_raw");
            long t0 = System.nanoTime();
            rawInsert();
            double rawRate = rate(TASKS, System.nanoTime() - t0);
            long t1 = System.nanoTime();
            int submitted = queue.submitBatch(BatchSubmission.create().chunkSize(CHUNK).tasks(IntStream.range(0, TASKS)
                    .mapToObj(i -> TaskSubmission.of("bench_noop", i).dedupKey("key-" + i)))).await().indefinitely()
                    .submitted().size();
            double ourRate = rate(submitted, System.nanoTime() - t1);
            if (round > 0) { // round 0 warms up
                raw.add(rawRate);
                ours.add(ourRate);
            }
        }
        row("raw unnest INSERT of the same rows, 10k chunks, 1 tx", raw, null);
        row("submitBatch 100k with dedup keys", ours, raw);
    }

    private void rawInsert() {
        pool.withTransaction(c -> {
            io.smallrye.mutiny.Uni<Void> chain = io.smallrye.mutiny.Uni.createFrom().voidItem();
            for (int start = 0; start < TASKS; start += CHUNK) {
                int from = start;
                chain = chain.chain(() -> c.preparedQuery(RAW_INSERT).execute(rawRows(from)).replaceWithVoid());
            }
            return chain;
        }).await().indefinitely();
    }

    /** The columns and values submitBatch writes, as one statement per chunk (no dedup check, no ON CONFLICT). */
    static final String RAW_INSERT = "INSERT INTO bench_raw (id, type, payload, state, priority, dedup_key, group_id, "
            + "concurrency_key, name, max_retries, retry_policy, timeout_ms, due_at, run_at, batch_id, created_at) "
            + "SELECT u.*, $15, $16 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[], "
            + "$7::text[], $8::text[], $9::text[], $10::int[], $11::text[], $12::bigint[], $13::bigint[], $14::bigint[]) AS u";

    private static Tuple rawRows(int from) {
        long now = System.currentTimeMillis();
        Long[] id = new Long[CHUNK];
        String[] type = new String[CHUNK];
        String[] payload = new String[CHUNK];
        Integer[] state = new Integer[CHUNK];
        Integer[] priority = new Integer[CHUNK];
        String[] key = new String[CHUNK];
        String[] none = new String[CHUNK];
        Integer[] retries = new Integer[CHUNK];
        Long[] noLong = new Long[CHUNK];
        Long[] runAt = new Long[CHUNK];
        for (int i = 0; i < CHUNK; i++) {
            id[i] = 10_000_000L + from + i;
            type[i] = "bench_noop";
            payload[i] = String.valueOf(from + i);
            state[i] = 1;
            priority[i] = 0;
            key[i] = "key-" + (from + i);
            retries[i] = 3;
            runAt[i] = now;
        }
        return Tuple.from(List.of(id, type, payload, state, priority, key, none, none, none, retries, none, noLong,
                noLong, runAt)).addValue("raw").addValue(now);
    }

    private void drain() throws InterruptedException {
        List<Double> rates = new ArrayList<>();
        for (int round = 0; round <= ROUNDS; round++) {
            empty();
            RAN.set(0);
            done = new CountDownLatch(1);
            long t0 = System.nanoTime();
            queue.submitBatch(BatchSubmission.create().tasks(IntStream.range(0, TASKS)
                    .mapToObj(i -> TaskSubmission.of("bench_noop", i)))).await().indefinitely();
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the drain did not end: " + RAN.get() + " ran");
            }
            if (round > 0) {
                rates.add(rate(TASKS, System.nanoTime() - t0));
            }
        }
        row("submit + drain 100k no-op, one node", rates, null);
    }

    static final TaskOptions LATER = TaskOptions.builder().delay(java.time.Duration.ofHours(1)).build();

    private void resume() throws InterruptedException {
        List<Double> plain = new ArrayList<>();
        List<Double> withId = new ArrayList<>();
        List<Double> group = new ArrayList<>();
        List<Double> withCallback = new ArrayList<>();
        List<Double> submitRatios = new ArrayList<>();
        List<Double> drainRatios = new ArrayList<>();
        for (int round = 0; round <= ROUNDS; round++) {
            double[] submitRates = new double[2];
            double[] drainRates = new double[2];
            for (int step = 0; step < 2; step++) {
                boolean extra = (round + step) % 2 == 1;
                empty();
                // delayed by an hour, so that no worker runs them while the other half of the round is timed
                BatchSubmission batch = BatchSubmission.create().chunkSize(CHUNK).defaultOptions(LATER).tasks(IntStream
                        .range(0, TASKS).mapToObj(i -> TaskSubmission.of("bench_noop", i).dedupKey("key-" + i)));
                if (extra) {
                    batch.submissionId("bench-" + round + "-" + step);
                }
                long t0 = System.nanoTime();
                int submitted = queue.submitBatch(batch).await().indefinitely().submitted().size();
                submitRates[extra ? 1 : 0] = rate(submitted, System.nanoTime() - t0);
                if (submitted != TASKS) {
                    throw new IllegalStateException("submitted " + submitted + " of " + TASKS);
                }

                empty();
                String groupId = "bench-group-" + round + "-" + step;
                RAN.set(0);
                done = new CountDownLatch(1);
                callbackRan = new CountDownLatch(extra ? 1 : 0);
                long t1 = System.nanoTime();
                queue.submitBatch(BatchSubmission.create().groupId(groupId).tasks(IntStream.range(0, TASKS)
                        .mapToObj(i -> TaskSubmission.of("bench_noop", i)))).await().indefinitely();
                if (extra) {
                    queue.existingGroup(groupId).onComplete(TaskSubmission.of("bench_callback", -1)).await()
                            .indefinitely();
                }
                if (!done.await(10, TimeUnit.MINUTES) || !callbackRan.await(1, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the group drain did not end: " + RAN.get() + " ran");
                }
                drainRates[extra ? 1 : 0] = rate(TASKS, System.nanoTime() - t1);
            }
            System.out.printf(Locale.ROOT, "round %d: submitBatch %,.0f/s, with an id %,.0f/s; group drain %,.0f/s, "
                    + "with a callback %,.0f/s%n", round, submitRates[0], submitRates[1], drainRates[0], drainRates[1]);
            if (round > 0) {
                plain.add(submitRates[0]);
                withId.add(submitRates[1]);
                group.add(drainRates[0]);
                withCallback.add(drainRates[1]);
                submitRatios.add(submitRates[1] / submitRates[0]);
                drainRatios.add(drainRates[1] / drainRates[0]);
            }
        }
        row("submitBatch 100k with dedup keys", plain, null);
        row("the same with a submissionId", withId, plain, submitRatios);
        row("submit + drain 100k no-op as a group, one node", group, null);
        row("the same with a completion callback", withCallback, group, drainRatios);
    }

    private void latency() throws InterruptedException {
        empty();
        List<Double> micros = new ArrayList<>();
        List<Double> answered = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            long t0 = System.nanoTime();
            queue.submit("bench_probe", i).await().indefinitely();
            long t1 = System.nanoTime();
            while (!STARTED.containsKey(i)) {
                Thread.onSpinWait();
            }
            if (i >= 200) {
                micros.add((STARTED.get(i) - t0) / 1e3);
                answered.add((t1 - t0) / 1e3);
            }
            Thread.sleep(2);
        }
        // the baseline: one awaited autocommit INSERT through the same reactive pool, from the same thread
        sql("DROP TABLE IF EXISTS bench_latency");
        sql("CREATE TABLE bench_latency (id bigserial PRIMARY KEY, payload text NOT NULL)");
        List<Double> raw = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            long t0 = System.nanoTime();
            pool.preparedQuery("INSERT INTO bench_latency (payload) VALUES ($1) RETURNING id").execute(Tuple.of("" + i))
                    .await().indefinitely();
            if (i >= 200) {
                raw.add((System.nanoTime() - t0) / 1e3);
            }
            Thread.sleep(2);
        }
        micros.sort(null);
        answered.sort(null);
        raw.sort(null);
        System.out.printf(Locale.ROOT, "| latency | submit -> handler start, one node | p50 %.2f ms | p99 %.2f ms "
                + "| submit answered: p50 %.2f ms; a raw awaited INSERT: p50 %.2f ms |%n", micros.get(micros.size() / 2) / 1e3,
                micros.get(micros.size() * 99 / 100) / 1e3, answered.get(answered.size() / 2) / 1e3,
                raw.get(raw.size() / 2) / 1e3);
    }

    private void empty() {
        sql("TRUNCATE tq_task, tq_group, tq_group_writer, tq_submission, tq_receipt");
    }

    private void sql(String statement) {
        pool.query(statement).execute().await().indefinitely();
    }

    private static double rate(int n, long nanos) {
        return n / (nanos / 1e9);
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** A row against the same figure without the extra, with the per-round (paired) ratios. */
    private static void row(String what, List<Double> rates, List<Double> without, List<Double> pairedRatios) {
        double[] sorted = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] paired = pairedRatios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "| %s | %,.0f/s | %,.0f/s – %,.0f/s | %.3f× without (paired rounds: median "
                + "%.3f×, %.3f× – %.3f×) |%n", what, median(rates), sorted[0], sorted[sorted.length - 1],
                median(rates) / median(without), median(pairedRatios), paired[0], paired[paired.length - 1]);
    }

    private static void row(String what, List<Double> rates, List<Double> baseline) {
        double[] sorted = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        String vs = baseline == null ? "(baseline)"
                : String.format(Locale.ROOT, "%.2f× the raw insert", median(rates) / median(baseline));
        System.out.printf(Locale.ROOT, "| %s | %,.0f/s | %,.0f/s – %,.0f/s | %s |%n", what, median(rates), sorted[0],
                sorted[sorted.length - 1], vs);
    }
}
