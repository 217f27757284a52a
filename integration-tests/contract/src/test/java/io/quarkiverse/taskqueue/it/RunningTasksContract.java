package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.RetryPolicy;
import io.quarkiverse.taskqueue.TaskEvent;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskInfo;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskResult;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.smallrye.mutiny.subscription.Cancellable;

/** The dispatcher: retries and backoff, timeouts, cancellation, concurrency limits, misbehaving handlers. */
public abstract class RunningTasksContract {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    TaskQueue queue;

    @Inject
    Troublemakers troublemakers;

    @Inject
    Executions executions;

    @Test
    void attemptsCountEveryRunAndASuccessAfterFailuresKeepsTheValue() {
        TaskHandle handle = queue.submit("flaky", 2, TaskOptions.builder().retries(3).build()).await().atMost(WAIT);

        TaskResult result = handle.await().await().atMost(WAIT);

        assertThat(result.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(result.attempts()).isEqualTo(3);
        assertThat(handle.value(Integer.class).await().atMost(WAIT)).isEqualTo(3);
    }

    @Test
    void eventsTellEachAttemptAndWhetherItWillBeRetried() {
        ConcurrentLinkedQueue<TaskEvent> events = new ConcurrentLinkedQueue<>();
        Cancellable subscription = queue.events().subscribe().with(events::add);
        try {
            TaskHandle flaky = queue.submit("flaky", 1, TaskOptions.builder().retries(1).build()).await().atMost(WAIT);
            TaskHandle waiting = queue.submit("noop", 1, TaskOptions.builder().delay(Duration.ofMinutes(5)).build())
                    .await().atMost(WAIT);
            flaky.await().await().atMost(WAIT);
            waiting.cancel().await().atMost(WAIT);

            long deadline = System.currentTimeMillis() + 5_000;
            while (events.stream().noneMatch(e -> e instanceof TaskEvent.TaskCancelled)
                    && System.currentTimeMillis() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(events.stream().filter(e -> concerns(e, flaky.id())).toList()).containsExactly(
                    new TaskEvent.TaskSubmitted(flaky.id(), "flaky"),
                    new TaskEvent.TaskStarted(flaky.id(), "flaky", 1),
                    new TaskEvent.TaskFailed(flaky.id(), "flaky", 1, "attempt 1 failed", true),
                    new TaskEvent.TaskStarted(flaky.id(), "flaky", 2),
                    new TaskEvent.TaskSucceeded(flaky.id(), "flaky", 2));
            assertThat(events.stream().filter(e -> concerns(e, waiting.id())).toList()).containsExactly(
                    new TaskEvent.TaskSubmitted(waiting.id(), "noop"),
                    new TaskEvent.TaskCancelled(waiting.id(), "noop"));
        } finally {
            subscription.cancel();
        }
    }

    private static boolean concerns(TaskEvent e, TaskId id) {
        return (e instanceof TaskEvent.TaskSubmitted s && s.taskId().equals(id))
                || (e instanceof TaskEvent.TaskStarted t && t.taskId().equals(id))
                || (e instanceof TaskEvent.TaskSucceeded u && u.taskId().equals(id))
                || (e instanceof TaskEvent.TaskFailed f && f.taskId().equals(id))
                || (e instanceof TaskEvent.TaskCancelled c && c.taskId().equals(id));
    }

    @Test
    void aRetryingTaskWaitsForItsBackoff() {
        long start = System.currentTimeMillis();
        TaskHandle handle = queue.submit("flaky", 1, TaskOptions.builder().retries(1)
                .retryPolicy(RetryPolicy.fixed(Duration.ofMillis(600))).build()).await().atMost(WAIT);

        awaitState(handle, TaskState.RETRYING);
        TaskResult result = handle.await().await().atMost(WAIT);

        assertThat(result.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(System.currentTimeMillis() - start).isGreaterThanOrEqualTo(600);
        TaskInfo info = handle.info().await().atMost(WAIT);
        assertThat(info.lastError()).isEqualTo("attempt 1 failed");
        assertThat(info.lastErrorClass()).isEqualTo(IllegalStateException.class.getName());
        assertThat(info.lastErrorTrace()).contains("attempt 1 failed").contains("Troublemakers.flaky");
    }

    @Test
    void anExponentialPolicyGrowsAndIsCapped() {
        RetryPolicy p = RetryPolicy.exponential(Duration.ofMillis(100), 2).withMaxInterval(Duration.ofMillis(350));

        assertThat(List.of(p.delayBefore(1), p.delayBefore(2), p.delayBefore(3), p.delayBefore(4)))
                .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(350),
                        Duration.ofMillis(350));
    }

    @Test
    void aTimedOutAttemptFailsAndIsRetried() {
        TaskHandle handle = queue.submit("never", "t", TaskOptions.builder().retries(1)
                .timeout(Duration.ofMillis(200)).build()).await().atMost(WAIT);

        TaskResult result = handle.await().await().atMost(WAIT);

        assertThat(result.state()).isEqualTo(TaskState.FAILED);
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(result.error()).contains("timed out after 200 ms");
    }

    @Test
    void aBlockingHandlerSeesTheDeadlineAndTheCancellationFlagOnTimeout() {
        TaskHandle handle = queue.submit("sleep", 10_000L, TaskOptions.builder().retries(0)
                .timeout(Duration.ofMillis(300)).build()).await().atMost(WAIT);

        TaskResult result = handle.await().await().atMost(WAIT);

        assertThat(result.state()).isEqualTo(TaskState.FAILED);
        assertThat(result.error()).contains("timed out");
        assertThat(troublemakers.seenDeadlines.get(handle.id().toString())).isNotEqualTo("null");
    }

    @Test
    void aRunningTaskIsCancelledCooperatively() {
        TaskHandle handle = queue.submit("sleep", 20_000L).await().atMost(WAIT);
        awaitState(handle, TaskState.RUNNING);

        assertThat(handle.cancel().await().atMost(WAIT)).isTrue();

        TaskResult result = handle.await().await().atMost(WAIT);
        assertThat(result.state()).isEqualTo(TaskState.CANCELLED);
    }

    @Test
    void misbehavingHandlersDoNotStopTheQueue() {
        TaskOptions once = TaskOptions.builder().retries(0).build();
        TaskHandle error = queue.submit("throw_error", "boom", once).await().atMost(WAIT);
        TaskHandle nullUni = queue.submit("null_uni", "x", once).await().atMost(WAIT);
        TaskHandle never = queue.submit("never", "x", TaskOptions.builder().retries(0)
                .timeout(Duration.ofMillis(100)).build()).await().atMost(WAIT);

        assertThat(error.await().await().atMost(WAIT).error()).isEqualTo("boom");
        assertThat(nullUni.await().await().atMost(WAIT).state()).isEqualTo(TaskState.FAILED);
        assertThat(never.await().await().atMost(WAIT).state()).isEqualTo(TaskState.FAILED);
        assertThat(queue.submit("add", List.of(1, 1)).await().atMost(WAIT).value(Integer.class).await().atMost(WAIT))
                .isEqualTo(2);
    }

    @Test
    void aLimitedConcurrencyKeyRunsOneAtATimeWithoutHoldingBackOthers() {
        String freeGroup = "free-" + UUID.randomUUID();
        BatchOutcome outcome = queue.submitBatch(BatchSubmission.create().tasks(IntStream.range(0, 2000)
                .mapToObj(i -> i % 2 == 0 ? TaskSubmission.of("keyed", "serial").concurrencyKey("serial")
                        : TaskSubmission.of("keyed", "free").concurrencyKey("free").groupId(freeGroup))
                .toList())).await().atMost(WAIT);

        assertThat(queue.existingGroup(freeGroup).await().await().atMost(WAIT).succeeded()).isEqualTo(1000);
        int serialDoneWhenFreeDone = count(troublemakers.doneByKey.get("serial"));
        List<TaskId> serial = IntStream.range(0, 2000).filter(i -> i % 2 == 0).mapToObj(outcome.submitted()::get)
                .toList();
        for (TaskId id : serial) {
            assertThat(queue.task(id).await().await().atMost(WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        }

        assertThat(serialDoneWhenFreeDone).isLessThan(1000);
        assertThat(troublemakers.maxRunningByKey.get("serial").get()).isEqualTo(1);
        assertThat(troublemakers.maxRunningByKey.get("free").get()).isGreaterThan(1);
    }

    @Test
    void aLongRunOfOneLimitedKeyDoesNotHoldBackTheKeysBehindIt() {
        String label = "block-" + UUID.randomUUID() + "-";
        List<TaskSubmission> tasks = new java.util.ArrayList<>();
        IntStream.range(0, 500).forEach(i -> tasks.add(TaskSubmission.of("record", label + i).concurrencyKey("serial")));
        String freeGroup = label + "free";
        IntStream.range(0, 300).forEach(i -> tasks.add(TaskSubmission.of("keyed", "free").concurrencyKey("free")
                .groupId(freeGroup)));
        BatchOutcome outcome = queue.submitBatch(tasks).await().atMost(WAIT);

        assertThat(queue.existingGroup(freeGroup).await().await().atMost(WAIT).succeeded()).isEqualTo(300);
        long serialDone = executions.order.stream().filter(l -> l.startsWith(label)).count();
        TaskHandle late = queue.task(outcome.submitted().get(450));
        boolean cancelled = late.cancel().await().atMost(WAIT);
        for (TaskId id : outcome.submitted().subList(0, 500)) {
            queue.task(id).await().await().atMost(WAIT);
        }

        assertThat(serialDone).as("serial tasks done when the free ones were").isLessThan(450);
        assertThat(cancelled).isTrue();
        assertThat(late.info().await().atMost(WAIT).state()).isEqualTo(TaskState.CANCELLED);
        List<String> expected = IntStream.range(0, 500).filter(i -> i != 450).mapToObj(i -> label + i).toList();
        assertThat(executions.order.stream().filter(l -> l.startsWith(label)).toList())
                .as("a limited key's tasks run in submission order, the cancelled one not at all")
                .containsExactlyElementsOf(expected);
    }

    private static int count(AtomicInteger n) {
        return n == null ? 0 : n.get();
    }

    /** Waits up to 10 s for {@code handle}'s task to reach {@code state} (also for the other contracts). */
    static void awaitState(TaskHandle handle, TaskState state) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (handle.info().await().atMost(WAIT).state() != state) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("task " + handle.id() + " never reached " + state);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
