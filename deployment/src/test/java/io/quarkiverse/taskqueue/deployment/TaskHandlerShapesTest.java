package io.quarkiverse.taskqueue.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.TaskContext;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskResult;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;

/**
 * An application with a handler of every supported shape builds and starts, and each handler runs on the thread
 * Quarkus' convention gives it and produces the right value.
 */
public class TaskHandlerShapesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Handlers.class))
            .overrideConfigKey("quarkus.taskqueue.sqlite.path", "target/deployment-test-" + UUID.randomUUID() + ".db");

    @Inject
    TaskQueue queue;

    @Inject
    Handlers handlers;

    @Test
    void voidHandlerGetsItsTaskContext() {
        TaskHandle handle = queue.submit("ping", "hello").await().atMost(TIMEOUT);
        TaskResult result = handle.await().await().atMost(TIMEOUT);

        assertEquals(TaskState.SUCCEEDED, result.state());
        assertNull(result.value(), "a void handler has no value");
        assertEquals(1, result.attempts());
        assertEquals(handle.id().toString() + " ping attempt=1 hello", handlers.contextSeen());
        assertEquals("worker", handlers.threadOf("ping"));
    }

    @Test
    void handlerOfTwoParametersTakesAListOrAMap() {
        int positional = queue.submit("add", List.of(2, 3)).await().atMost(TIMEOUT)
                .value(Integer.class).await().atMost(TIMEOUT);
        int byName = queue.submit("add", Map.of("a", 40, "b", 2)).await().atMost(TIMEOUT)
                .value(Integer.class).await().atMost(TIMEOUT);

        assertEquals(5, positional);
        assertEquals(42, byName);
        assertEquals("worker", handlers.threadOf("add"));
    }

    @Test
    void uniHandlerRunsOnTheEventLoop() {
        int value = queue.submit("square", 7).await().atMost(TIMEOUT).value(Integer.class).await().atMost(TIMEOUT);

        assertEquals(49, value);
        assertEquals("event-loop", handlers.threadOf("square"));
    }

    @Test
    void completionStageHandlerRunsOnTheEventLoop() {
        int value = queue.submit("twice", 21).await().atMost(TIMEOUT).value(Integer.class).await().atMost(TIMEOUT);

        assertEquals(42, value);
        assertEquals("event-loop", handlers.threadOf("twice"));
    }

    @Test
    void blockingUniHandlerRunsOnAWorker() {
        int value = queue.submit("triple", 5).await().atMost(TIMEOUT).value(Integer.class).await().atMost(TIMEOUT);

        assertEquals(15, value);
        assertEquals("worker", handlers.threadOf("triple"));
    }

    @Test
    void nonBlockingValueHandlerRunsOnTheEventLoop() {
        int value = queue.submit("negate", 8).await().atMost(TIMEOUT).value(Integer.class).await().atMost(TIMEOUT);

        assertEquals(-8, value);
        assertEquals("event-loop", handlers.threadOf("negate"));
    }

    @Test
    void batchOfMixedTypesRunsEveryTask() {
        BatchOutcome outcome = queue.submitBatch(List.of(
                TaskSubmission.of("add", List.of(1, 2)),
                TaskSubmission.of("square", 4),
                TaskSubmission.of("negate", 6))).await().atMost(TIMEOUT);

        assertEquals(3, outcome.submitted().size());
        assertTrue(outcome.failed().isEmpty(), () -> outcome.failed().toString());
        assertEquals(3, queue.task(outcome.submitted().get(0)).value(Integer.class).await().atMost(TIMEOUT));
        assertEquals(16, queue.task(outcome.submitted().get(1)).value(Integer.class).await().atMost(TIMEOUT));
        assertEquals(-6, queue.task(outcome.submitted().get(2)).value(Integer.class).await().atMost(TIMEOUT));
    }

    @ApplicationScoped
    public static class Handlers {

        private final Map<String, String> threads = new ConcurrentHashMap<>();
        private volatile String contextSeen;

        @TaskHandler("ping")
        void ping(String message, TaskContext context) {
            record("ping");
            contextSeen = context.taskId() + " " + context.taskType() + " attempt=" + context.attempt() + " " + message;
        }

        @TaskHandler("add")
        int add(int a, int b) {
            record("add");
            return a + b;
        }

        @TaskHandler("square")
        Uni<Integer> square(int x) {
            record("square");
            return Uni.createFrom().item(x * x);
        }

        @TaskHandler("twice")
        CompletionStage<Integer> twice(int x) {
            record("twice");
            return CompletableFuture.completedFuture(2 * x);
        }

        @TaskHandler("triple")
        @Blocking
        Uni<Integer> triple(int x) {
            record("triple");
            return Uni.createFrom().item(3 * x);
        }

        @TaskHandler("negate")
        @NonBlocking
        int negate(int x) {
            record("negate");
            return -x;
        }

        private void record(String taskType) {
            String kind = Context.isOnEventLoopThread() ? "event-loop"
                    : Context.isOnWorkerThread() ? "worker" : "other:" + Thread.currentThread().getName();
            threads.put(taskType, kind);
        }

        String threadOf(String taskType) {
            return threads.get(taskType);
        }

        String contextSeen() {
            return contextSeen;
        }
    }
}
