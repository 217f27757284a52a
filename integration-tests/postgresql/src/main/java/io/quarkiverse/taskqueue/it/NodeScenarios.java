package io.quarkiverse.taskqueue.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.TaskContext;
import io.quarkiverse.taskqueue.TaskGroup;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * What the multi-node tests ({@code *IT}) ask one node (a process of the packaged application) to do, chosen by
 * {@code it.scenario}. Each prints a line starting with {@code SCENARIO} that the test reads.
 */
@Singleton
public class NodeScenarios {

    @Inject
    TaskQueue queue;

    @Inject
    Pool pool;

    @ConfigProperty(name = "it.scenario", defaultValue = "none")
    String scenario;

    @ConfigProperty(name = "it.node", defaultValue = "node")
    String node;

    @ConfigProperty(name = "it.count", defaultValue = "0")
    int count;

    @ConfigProperty(name = "it.first-key", defaultValue = "0")
    int firstKey;

    @ConfigProperty(name = "it.marker", defaultValue = "target/marker")
    String marker;

    /** Records each execution (task, attempt, node) in {@code it_execution}, which the test reads. */
    @TaskHandler("record_execution")
    Uni<Void> recordExecution(int n, TaskContext context) {
        return pool.preparedQuery("INSERT INTO it_execution (task_id, attempt, node) VALUES ($1, $2, $3)")
                .execute(Tuple.of(context.taskId().value(), context.attempt(), node)).replaceWithVoid();
    }

    /** Records that it started, then waits for the marker file: the test releases all of them at one moment. */
    @TaskHandler("held_until_marker")
    void heldUntilMarker(int n, TaskContext context) throws InterruptedException {
        recordExecution(n, context).await().indefinitely();
        while (!Files.exists(Path.of(marker))) {
            Thread.sleep(1);
        }
    }

    /** A group's callback: records the summary it reads and the node it ran on in {@code it_callback}. */
    @TaskHandler("record_callback")
    Uni<Void> recordCallback(String groupId, TaskContext context) {
        return queue.existingGroup(groupId).summary().chain(summary -> pool.preparedQuery(
                "INSERT INTO it_callback (task_id, node, total, succeeded, done) VALUES ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(context.taskId().value(), node, summary.total(), summary.succeeded(),
                        summary.done())))
                .replaceWithVoid();
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
                    BatchOutcome outcome = queue.submitBatch(BatchSubmission.create().tasks(
                            IntStream.range(0, count).mapToObj(i -> TaskSubmission.of("record_execution", i))))
                            .await().indefinitely();
                    System.out.println("SCENARIO submitted=" + outcome.submitted().size());
                }
                case "dedup" -> {
                    System.out.println("SCENARIO ready");
                    while (!Files.exists(Path.of(marker))) {
                        Thread.sleep(1);
                    }
                    BatchOutcome outcome = queue.submitBatch(BatchSubmission.create().chunkSize(1000).tasks(
                            IntStream.range(firstKey, firstKey + count)
                                    .mapToObj(i -> TaskSubmission.of("noop", i).dedupKey("key-" + i))))
                            .await().indefinitely();
                    System.out.println("SCENARIO submitted=" + outcome.submitted().size() + " deduplicated="
                            + outcome.deduplicated().size() + " failed=" + outcome.failed().size());
                }
                case "sleepers" -> {
                    BatchOutcome outcome = queue.submitBatch(BatchSubmission.create().tasks(IntStream.range(0, count)
                            .mapToObj(i -> TaskSubmission.of("sleep", 60_000L)))).await().indefinitely();
                    System.out.println("SCENARIO submitted=" + outcome.submitted().size());
                }
                case "callback-group" -> {
                    TaskGroup group = queue.group("race-group", "held_until_marker", IntStream.range(0, count).boxed().toList(),
                            TaskOptions.defaults()).await().indefinitely();
                    TaskHandle callback = group.onComplete(TaskSubmission.of("record_callback", group.id()))
                            .await().indefinitely();
                    System.out.println("SCENARIO callback=" + callback.id());
                }
                case "same-submission" -> {
                    System.out.println("SCENARIO ready");
                    while (!Files.exists(Path.of(marker))) {
                        Thread.sleep(1);
                    }
                    BatchOutcome outcome = queue.submitBatch(BatchSubmission.create().chunkSize(1000)
                            .submissionId("race-import").tasks(IntStream.range(0, count)
                                    .mapToObj(i -> TaskSubmission.of("noop", i).dedupKey("key-" + (i % 10 == 9 ? i - 1 : i)))))
                            .await().indefinitely();
                    System.out.println("SCENARIO submitted=" + outcome.submitted().size() + " deduplicated="
                            + outcome.deduplicated().size() + " first=" + outcome.submitted().get(0).value() + " last="
                            + outcome.submitted().get(outcome.submitted().size() - 1).value() + " batch="
                            + outcome.batchId());
                }
                case "idle" -> System.out.println("SCENARIO up");
                default -> throw new IllegalArgumentException("unknown it.scenario " + scenario);
            }
        } catch (RuntimeException | InterruptedException e) {
            System.out.println("SCENARIO error=" + e);
        }
    }
}
