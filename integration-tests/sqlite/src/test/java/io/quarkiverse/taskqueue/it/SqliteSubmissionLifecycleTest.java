package io.quarkiverse.taskqueue.it;

import static io.quarkiverse.taskqueue.it.AppProcess.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.DuplicateStrategy;
import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskEvent;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * What a submission leaves behind when part of it fails or its subscriber goes away, and the events of tasks that
 * end without running. Failures are injected through a second connection to the store's file.
 */
@QuarkusTest
class SqliteSubmissionLifecycleTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String STORE = "jdbc:sqlite:target/it-taskqueue.db?busy_timeout=10000";

    @Inject
    TaskQueue queue;

    final List<TaskEvent> events = new CopyOnWriteArrayList<>();
    Cancellable subscription;
    Connection other;

    @BeforeEach
    void watch() throws SQLException {
        subscription = queue.events().subscribe().with(events::add);
        other = DriverManager.getConnection(STORE);
    }

    @AfterEach
    void stop() throws SQLException {
        subscription.cancel();
        try (Statement s = other.createStatement()) {
            s.execute("DROP TRIGGER IF EXISTS tq_test_boom");
        }
        other.close();
    }

    /** Any task whose payload is the string "boom" makes its chunk roll back. */
    void rollBackChunksWithBoom() throws SQLException {
        try (Statement s = other.createStatement()) {
            s.execute("CREATE TRIGGER tq_test_boom BEFORE INSERT ON tq_task WHEN NEW.payload = '\"boom\"' "
                    + "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
        }
    }

    static List<Object> inputsWithBoomAt(int count, int boom) {
        List<Object> inputs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            inputs.add(i == boom ? "boom" : Integer.toString(i));
        }
        return inputs;
    }

    @Test
    void mapFailsNamingTheInputsOfARolledBackChunkAndKeepsTheCommittedOnes() throws Exception {
        rollBackChunksWithBoom();
        String group = "map-lost-" + UUID.randomUUID();

        // default chunk size 10,000: the second chunk (inputs 10000-19999) holds the bad row
        assertThatThrownBy(() -> queue.map("echo", inputsWithBoomAt(25_000, 12_345),
                TaskOptions.builder().groupId(group).build()).await().atMost(WAIT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("map(\"echo\")")
                .hasMessageContaining("10000 of 25000 tasks were not written (inputs 10000-19999)")
                .hasMessageContaining("injected failure");

        GroupSummary summary = queue.existingGroup(group).await().await().atMost(WAIT);
        assertThat(summary.total()).isEqualTo(15_000);
        assertThat(summary.succeeded()).isEqualTo(15_000);
    }

    @Test
    void groupFailsNamingTheInputsOfARolledBackChunk() throws Exception {
        rollBackChunksWithBoom();
        String group = "group-lost-" + UUID.randomUUID();
        List<TaskSubmission> tasks = inputsWithBoomAt(25_000, 24_000).stream()
                .map(p -> TaskSubmission.of("echo", p)).toList();

        assertThatThrownBy(() -> queue.group(group, tasks).await().atMost(WAIT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("group(\"" + group + "\")")
                .hasMessageContaining("5000 of 25000 tasks were not written (inputs 20000-24999)");

        assertThat(queue.existingGroup(group).await().await().atMost(WAIT).total()).isEqualTo(20_000);
    }

    @Test
    void aGroupIsClosedWhenTheSubscriberCancelsWhileItIsBeingOpened() throws Exception {
        String group = "cancelled-" + UUID.randomUUID();
        try (Statement s = other.createStatement()) {
            s.execute("BEGIN IMMEDIATE"); // the store's writer now waits for the file's write lock
            Cancellable submission = queue.submitBatch(BatchSubmission.create().groupId(group)
                    .add(TaskSubmission.of("noop", 1))).subscribe().with(o -> {
                    }, e -> {
                    });
            Thread.sleep(500);
            submission.cancel();
            Thread.sleep(200);
            s.execute("ROLLBACK");
        }

        // the open that was waiting went through; the close queued behind it completes the (empty) group
        awaitTrue(WAIT, "the group is complete", () -> {
            GroupSummary s = queue.existingGroup(group).summary().onFailure().recoverWithNull().await().atMost(WAIT);
            return s != null && s.done();
        });
        assertThat(queue.existingGroup(group).await().await().atMost(WAIT).total()).isZero();
    }

    @Test
    void submitStreamKeepsEachTasksGroupOpenUntilTheStreamEnds() throws Exception {
        String group = "stream-task-group-" + UUID.randomUUID();
        UnicastProcessor<TaskSubmission> tasks = UnicastProcessor.create();
        List<Object> outcomes = new CopyOnWriteArrayList<>();
        queue.submitStream(tasks, BatchSubmission.create().chunkSize(5)).subscribe().with(outcomes::add);

        IntStream.range(0, 5).forEach(i -> tasks.onNext(TaskSubmission.of("noop", i).groupId(group)));
        awaitTrue(WAIT, "the first chunk ran", () -> {
            GroupSummary s = queue.existingGroup(group).summary().onFailure().recoverWithNull().await().atMost(WAIT);
            return s != null && s.succeeded() == 5;
        });
        Thread.sleep(300);
        IntStream.range(5, 10).forEach(i -> tasks.onNext(TaskSubmission.of("noop", i).groupId(group)));
        tasks.onComplete();

        assertThat(queue.existingGroup(group).await().await().atMost(WAIT).total()).isEqualTo(10);
        Thread.sleep(300);
        assertThat(events).filteredOn(e -> e instanceof TaskEvent.GroupCompleted c && c.summary().groupId().equals(group))
                .singleElement()
                .satisfies(e -> assertThat(((TaskEvent.GroupCompleted) e).summary().total()).isEqualTo(10));
    }

    @Test
    void aSupersededTaskAndATaskCancelledByIdEmitTaskCancelledWithTheirType() throws Exception {
        String key = "superseded-" + UUID.randomUUID();
        TaskOptions later = TaskOptions.builder().delay(Duration.ofHours(1)).build();
        TaskHandle first = queue.submit(TaskSubmission.of("noop", 1).dedupKey(key).options(later)).await().atMost(WAIT);
        queue.submitBatch(BatchSubmission.create().onDuplicate(DuplicateStrategy.SUPERSEDE)
                .add(TaskSubmission.of("noop", 2).dedupKey(key).options(later))).await().atMost(WAIT);
        TaskHandle byId = queue.submit("upper", "x", later).await().atMost(WAIT);
        assertThat(queue.task(byId.id()).cancel().await().atMost(WAIT)).isTrue();

        awaitTrue(WAIT, "both events", () -> events.contains(new TaskEvent.TaskCancelled(first.id(), "noop"))
                && events.contains(new TaskEvent.TaskCancelled(byId.id(), "upper")));
        assertThat(events).filteredOn(e -> e instanceof TaskEvent.TaskCancelled c && c.taskType() == null).isEmpty();
    }
}
