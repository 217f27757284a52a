package io.quarkiverse.taskqueue.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskContext;
import io.quarkiverse.taskqueue.TaskGroup;
import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;

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

    @ConfigProperty(name = "it.exec-db", defaultValue = "target/executions.db")
    String executionsDb;

    private Connection executions;

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
                default -> throw new IllegalArgumentException("unknown it.scenario " + scenario);
            }
        } catch (RuntimeException e) {
            System.out.println("SCENARIO error=" + e);
            throw e;
        }
    }

    /** Records every run in a database of its own, so a test can tell what ran, and how often. */
    @TaskHandler("record_execution")
    void recordExecution(int n, TaskContext ctx) throws SQLException, InterruptedException {
        Thread.sleep(2);
        synchronized (this) {
            if (executions == null) {
                executions = DriverManager.getConnection("jdbc:sqlite:" + executionsDb + "?journal_mode=WAL");
                try (Statement s = executions.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS execution (task_id INTEGER, attempt INTEGER)");
                }
            }
            try (PreparedStatement ps = executions.prepareStatement("INSERT INTO execution VALUES (?, ?)")) {
                ps.setLong(1, ctx.taskId().value());
                ps.setInt(2, ctx.attempt());
                ps.executeUpdate();
            }
        }
    }
}
