package io.quarkiverse.taskqueue.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskContext;
import io.quarkiverse.taskqueue.TaskEvent;
import io.quarkiverse.taskqueue.TaskGroup;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;

/**
 * What the process-level tests ({@code *IT}) ask the packaged application to do, chosen by {@code it.scenario}.
 * Each prints one line starting with {@code SCENARIO} that the test reads.
 */
@Singleton
public class Scenarios {

    @Inject
    TaskQueue queue;

    @ConfigProperty(name = "it.scenario", defaultValue = "none")
    String scenario;

    @ConfigProperty(name = "it.count", defaultValue = "0")
    int count;

    @ConfigProperty(name = "it.chunk-size", defaultValue = "10000")
    int chunkSize;

    @ConfigProperty(name = "it.marker", defaultValue = "target/marker")
    String marker;

    @ConfigProperty(name = "it.exec-db", defaultValue = "target/executions.db")
    String executionsDb;

    private Connection executions;

    private final List<TaskEvent> earlyEvents = new CopyOnWriteArrayList<>();

    /** Before the queue starts (and recovers leases), so that nothing it emits at start is missed. */
    void recordEarlyEvents(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE - 1) StartupEvent event) {
        if ("watch-recovery".equals(scenario)) {
            queue.events().subscribe().with(earlyEvents::add);
        }
    }

    void onStart(@Observes StartupEvent event) {
        if ("none".equals(scenario)) {
            return;
        }
        Infrastructure.getDefaultWorkerPool().execute(this::run);
    }

    private void run() {
        try {
            switch (scenario) {
                case "drain" -> {
                    BatchOutcome outcome = queue.submitBatch(BatchSubmission.create()
                            .tasks(IntStream.range(0, count).mapToObj(i -> TaskSubmission.of("record_execution", i))
                                    .toList()))
                            .await().indefinitely();
                    System.out.println("SCENARIO submitted=" + outcome.submitted().size());
                }
                case "sleepers" -> {
                    BatchOutcome outcome = queue.submitBatch(BatchSubmission.create().tasks(IntStream.range(0, count)
                            .mapToObj(i -> TaskSubmission.of("sleep", 60_000L)).toList())).await().indefinitely();
                    System.out.println("SCENARIO submitted=" + outcome.submitted().size());
                }
                case "batch" -> {
                    BatchOutcome outcome = queue.submitBatch(BatchSubmission.create().chunkSize(chunkSize)
                            .tasks(IntStream.range(0, count)
                                    .mapToObj(i -> TaskSubmission.of("noop", i).dedupKey("key-" + i)).toList()))
                            .await().indefinitely();
                    System.out.println("SCENARIO submitted=" + outcome.submitted().size() + " deduplicated="
                            + outcome.deduplicated().size() + " failed=" + outcome.failed().size());
                }
                case "resumable-batch" -> {
                    // every tenth task repeats the key before it, one has an unknown type
                    BatchOutcome outcome = queue.submitBatch(BatchSubmission.create().chunkSize(chunkSize)
                            .submissionId("it-import").tasks(IntStream.range(0, count)
                                    .mapToObj(i -> TaskSubmission.of(i == 7_777 ? "no_such_type" : "noop", i)
                                            .dedupKey("key-" + (i % 10 == 9 ? i - 1 : i)))
                                    .toList()))
                            .await().indefinitely();
                    System.out.println("SCENARIO submitted=" + outcome.submitted().size() + " deduplicated="
                            + outcome.deduplicated().size() + " failed=" + outcome.failed().stream()
                                    .map(f -> f.index() + ":" + f.taskType()).toList()
                            + " outcome=" + digest(outcome.submitted() + "|" + outcome.deduplicated() + "|"
                                    + outcome.superseded() + "|" + outcome.failed()));
                }
                case "callback-group" -> {
                    TaskGroup group = queue.group("callback-group", "record_execution",
                            IntStream.range(0, count).boxed().toList(), TaskOptions.defaults()).await().indefinitely();
                    TaskHandle callback = group.onComplete(TaskSubmission.of("record_callback", group.id()))
                            .await().indefinitely();
                    System.out.println("SCENARIO callback=" + callback.id());
                }
                case "group-create" -> {
                    TaskGroup group = queue.group("restart-group", "add",
                            IntStream.range(0, count).mapToObj(i -> List.of(i, i)).toList(),
                            TaskOptions.defaults()).await().indefinitely();
                    GroupSummary summary = group.await().await().atMost(Duration.ofMinutes(1));
                    System.out.println("SCENARIO group=" + group.id() + " total=" + summary.total() + " succeeded="
                            + summary.succeeded());
                    Quarkus.asyncExit();
                }
                case "group-read" -> {
                    TaskGroup group = queue.existingGroup("restart-group");
                    GroupSummary summary = group.summary().await().indefinitely();
                    List<Integer> values = group.values(Integer.class).await().indefinitely();
                    System.out.println("SCENARIO total=" + summary.total() + " succeeded=" + summary.succeeded()
                            + " done=" + summary.done() + " handles=" + group.handles().size() + " sum="
                            + values.stream().mapToLong(Integer::longValue).sum());
                    Quarkus.asyncExit();
                }
                case "idle" -> System.out.println("SCENARIO up");
                case "cancel-running" -> {
                    List<TaskHandle> handles = queue.map("stubborn", List.of(60_000L, 60_000L)).await().indefinitely();
                    for (TaskHandle h : handles) {
                        while (h.info().await().indefinitely().state() != TaskState.RUNNING) {
                            Thread.sleep(5);
                        }
                    }
                    // a handler that ignores the request keeps running until the shutdown releases it
                    handles.get(0).cancel().await().indefinitely();
                    System.out.println("SCENARIO cancelled=" + handles.get(0).id() + " other=" + handles.get(1).id());
                }
                case "group-held" -> groupHeldOpen();
                case "run-once" -> {
                    TaskHandle h = queue.submit("stubborn", 60_000L, TaskOptions.builder().retries(0).build())
                            .await().indefinitely();
                    while (h.info().await().indefinitely().state() != TaskState.RUNNING) {
                        Thread.sleep(5);
                    }
                    System.out.println("SCENARIO running=" + h.id());
                }
                case "watch-recovery" -> {
                    // the events recorded since before the store started (see recordEarlyEvents)
                    long deadline = System.currentTimeMillis() + 30_000;
                    while (System.currentTimeMillis() < deadline && earlyEvents.stream()
                            .noneMatch(e -> e instanceof TaskEvent.TaskFailed)) {
                        Thread.sleep(10);
                    }
                    for (TaskEvent e : earlyEvents) {
                        if (e instanceof TaskEvent.TaskFailed f) {
                            System.out.println("SCENARIO failed=" + f.taskId() + " type=" + f.taskType() + " willRetry="
                                    + f.willRetry() + " attempts=" + f.attempts() + " error=" + f.error());
                        }
                    }
                    System.out.println("SCENARIO end");
                }
                default -> throw new IllegalArgumentException("unknown it.scenario " + scenario);
            }
        } catch (RuntimeException | InterruptedException e) {
            System.out.println("SCENARIO error=" + e);
            throw new IllegalStateException(e);
        }
    }

    /**
     * A stream into group "held-group" whose first chunk ends while the stream is still open (waiting for the file
     * {@code it.marker}): the group must not complete until the stream ends, whatever other processes open the store.
     */
    private void groupHeldOpen() throws InterruptedException {
        String group = "held-group";
        List<GroupSummary> completions = new CopyOnWriteArrayList<>();
        queue.events().subscribe().with(e -> {
            if (e instanceof TaskEvent.GroupCompleted c && c.summary().groupId().equals(group)) {
                completions.add(c.summary());
            }
        });
        UnicastProcessor<TaskSubmission> tasks = UnicastProcessor.create();
        List<TaskId> firstChunk = new CopyOnWriteArrayList<>();
        CountDownLatch firstWritten = new CountDownLatch(1);
        queue.submitStream(tasks, BatchSubmission.create().groupId(group).chunkSize(5)).subscribe().with(outcome -> {
            firstChunk.addAll(outcome.submitted());
            firstWritten.countDown();
        }, Throwable::printStackTrace);
        for (int i = 0; i < 5; i++) {
            tasks.onNext(TaskSubmission.of("sleep", 60_000L));
        }
        firstWritten.await();
        System.out.println("SCENARIO first-chunk");
        Path marker = Path.of(this.marker);
        while (!Files.exists(marker)) {
            Thread.sleep(10);
        }
        for (TaskId id : firstChunk) {
            queue.task(id).cancel().await().indefinitely();
        }
        Thread.sleep(500);
        for (int i = 0; i < 5; i++) {
            tasks.onNext(TaskSubmission.of("add", List.of(1, 1)));
        }
        tasks.onComplete();
        GroupSummary summary = queue.existingGroup(group).await().await().atMost(Duration.ofMinutes(1));
        Thread.sleep(500);
        System.out.println("SCENARIO completions=" + completions.size() + " total=" + summary.total()
                + " cancelled=" + summary.cancelled() + " succeeded=" + summary.succeeded());
    }

    /** Records every run in a database of its own, so a test can tell what ran, and how often. */
    @TaskHandler("record_execution")
    void recordExecution(int n, TaskContext ctx) throws SQLException, InterruptedException {
        Thread.sleep(2);
        record("INSERT INTO execution VALUES (?, ?)", ctx.taskId().value(), ctx.attempt());
    }

    /** A group's callback: records the summary it reads, as an application's callback would use it. */
    @TaskHandler("record_callback")
    void recordCallback(String groupId, TaskContext ctx) throws SQLException {
        GroupSummary summary = queue.existingGroup(groupId).summary().await().atMost(Duration.ofSeconds(30));
        record("INSERT INTO callback VALUES (?, ?, ?, ?)", ctx.taskId().value(), summary.total(),
                summary.succeeded(), summary.done() ? 1 : 0);
    }

    private synchronized void record(String insert, Object... values) throws SQLException {
        if (executions == null) {
            executions = DriverManager.getConnection("jdbc:sqlite:" + executionsDb + "?journal_mode=WAL");
            try (Statement s = executions.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS execution (task_id INTEGER, attempt INTEGER)");
                s.execute("CREATE TABLE IF NOT EXISTS callback (task_id INTEGER, total INTEGER, succeeded INTEGER,"
                        + " done INTEGER)");
            }
        }
        try (PreparedStatement ps = executions.prepareStatement(insert)) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            ps.executeUpdate();
        }
    }

    private static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
