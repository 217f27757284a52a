package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.TaskEvent;
import io.quarkiverse.taskqueue.TaskFailedException;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskInfo;
import io.quarkiverse.taskqueue.TaskNotFoundException;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskResult;
import io.quarkiverse.taskqueue.TaskState;

/** One task at a time: submit, run, look at the result. */
public abstract class SubmitContract {

    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    TaskQueue queue;

    @Inject
    Executions executions;

    @Test
    void aSubmittedTaskRunsAndItsValueCanBeRead() {
        TaskHandle handle = queue.submit("add", List.of(2, 3)).await().atMost(WAIT);

        assertThat(handle.taskType()).isEqualTo("add");
        assertThat(handle.value(Integer.class).await().atMost(WAIT)).isEqualTo(5);
        TaskInfo info = handle.info().await().atMost(WAIT);
        assertThat(info.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(info.attempts()).isEqualTo(1);
        assertThat(info.finishedAt()).isNotNull();
    }

    @Test
    void aTasksEventsComeInTheOrderItLives() {
        java.util.Queue<TaskEvent> events = new java.util.concurrent.ConcurrentLinkedQueue<>();
        io.smallrye.mutiny.subscription.Cancellable subscription = queue.events().subscribe().with(events::add);
        try {
            for (int i = 0; i < 20; i++) { // an idle queue: the task may start in its submit's own transaction
                TaskHandle handle = queue.submit("add", List.of(i, 1)).await().atMost(WAIT);
                handle.await().await().atMost(WAIT);
                long deadline = System.nanoTime() + WAIT.toNanos();
                List<Class<?>> kinds;
                do {
                    kinds = events.stream().filter(e -> handle.id().equals(taskId(e))).<Class<?>> map(Object::getClass)
                            .toList();
                } while (kinds.size() < 3 && System.nanoTime() < deadline);
                assertThat(kinds).containsExactly(TaskEvent.TaskSubmitted.class, TaskEvent.TaskStarted.class,
                        TaskEvent.TaskSucceeded.class);
            }
        } finally {
            subscription.cancel();
        }
    }

    private static TaskId taskId(TaskEvent e) {
        if (e instanceof TaskEvent.TaskSubmitted s) {
            return s.taskId();
        }
        if (e instanceof TaskEvent.TaskStarted s) {
            return s.taskId();
        }
        return e instanceof TaskEvent.TaskSucceeded s ? s.taskId() : null;
    }

    @Test
    void aHandlerOfSeveralParametersTakesAMapByParameterName() {
        TaskHandle handle = queue.submit("add", Map.of("a", 40, "b", 2)).await().atMost(WAIT);

        assertThat(handle.value(Integer.class).await().atMost(WAIT)).isEqualTo(42);
    }

    @Test
    void theHandlerSeesItsTaskInTheContext() {
        Email email = new Email("ada@example.com", "context " + System.nanoTime());
        TaskHandle handle = queue.submit("send_email", email).await().atMost(WAIT);

        TaskResult result = handle.await().await().atMost(WAIT);

        assertThat(result.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(result.value()).isNull();
        assertThat(executions.sent).contains(email);
        assertThat(executions.contexts).contains(handle.id() + "|send_email|1");
    }

    @Test
    void uniAndCompletionStageHandlersRunWithoutBlockingAWorker() {
        TaskHandle square = queue.submit("square", 7).await().atMost(WAIT);
        TaskHandle upper = queue.submit("upper", "quiet").await().atMost(WAIT);

        assertThat(square.value(Integer.class).await().atMost(WAIT)).isEqualTo(49);
        assertThat(upper.value(String.class).await().atMost(WAIT)).isEqualTo("QUIET");
        assertThat(executions.threads).anyMatch(t -> t.startsWith("event-loop:"));
    }

    @Test
    void blockingHandlersRunOnTaskQueueWorkerThreads() {
        Email email = new Email("bob@example.com", "thread " + System.nanoTime());
        queue.submit("send_email", email).await().atMost(WAIT).await().await().atMost(WAIT);

        assertThat(executions.threads).anyMatch(t -> t.startsWith("taskqueue-worker"));
    }

    @Test
    void aFailingTaskEndsFailedWithTheHandlersMessage() {
        TaskHandle handle = queue.submit("fail", "disk full", TaskOptions.builder().retries(0).build())
                .await().atMost(WAIT);

        TaskResult result = handle.await().await().atMost(WAIT);

        assertThat(result.state()).isEqualTo(TaskState.FAILED);
        assertThat(result.error()).isEqualTo("disk full");
        assertThat(result.attempts()).isEqualTo(1);
        assertThatThrownBy(() -> handle.value(String.class).await().atMost(WAIT))
                .isInstanceOf(TaskFailedException.class).hasMessageContaining("disk full");
    }

    @Test
    void anUnknownTaskTypeFailsTheSubmitNamingTheType() {
        assertThatThrownBy(() -> queue.submit("no_such_type", "x").await().atMost(WAIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no_such_type");
    }

    @Test
    void aPayloadThatDoesNotFitTheHandlerIsRejected() {
        assertThatThrownBy(() -> queue.submit("add", List.of(1)).await().atMost(WAIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes 2 parameters");
        assertThatThrownBy(() -> queue.submit("square", "not a number").await().atMost(WAIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
    }

    @Test
    void nullArgumentsFailFastNamingTheParameter() {
        assertThatThrownBy(() -> queue.submit(null)).isInstanceOf(NullPointerException.class).hasMessage("task");
        assertThatThrownBy(() -> queue.submit(null, "x")).isInstanceOf(NullPointerException.class)
                .hasMessage("taskType");
        assertThatThrownBy(() -> queue.task(null)).isInstanceOf(NullPointerException.class).hasMessage("id");
        assertThatThrownBy(() -> queue.submitBatch((List<io.quarkiverse.taskqueue.TaskSubmission>) null))
                .isInstanceOf(NullPointerException.class).hasMessage("tasks");
    }

    @Test
    void aHandleOnAnUnknownIdFailsInfoAndDoesNotCancel() {
        TaskHandle handle = queue.task(new TaskId(987_654_321L));

        assertThatThrownBy(() -> handle.info().await().atMost(WAIT)).isInstanceOf(TaskNotFoundException.class)
                .hasMessageContaining("987654321");
        assertThat(handle.cancel().await().atMost(WAIT)).isFalse();
    }

    @Test
    void aTaskIdReadsBackFromItsText() {
        TaskHandle handle = queue.submit("noop", 1).await().atMost(WAIT);

        TaskId parsed = TaskId.parse(handle.id().toString());

        assertThat(queue.task(parsed).info().await().atMost(WAIT).taskType()).isEqualTo("noop");
        assertThatThrownBy(() -> TaskId.parse("abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("abc");
    }

    @Test
    void aDelayedTaskIsScheduledUntilDue() {
        TaskHandle handle = queue.submit("noop", 2, TaskOptions.builder().delay(Duration.ofMillis(700))
                .name("nightly report").build()).await().atMost(WAIT);

        TaskInfo scheduled = handle.info().await().atMost(WAIT);
        assertThat(scheduled.state()).isEqualTo(TaskState.SCHEDULED);
        assertThat(scheduled.name()).isEqualTo("nightly report");
        assertThat(handle.await().await().atMost(WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void aWaitingTaskCanBeCancelled() {
        TaskHandle handle = queue.submit("noop", 3, TaskOptions.builder().delay(Duration.ofMinutes(5)).build())
                .await().atMost(WAIT);

        assertThat(handle.cancel().await().atMost(WAIT)).isTrue();
        assertThat(handle.await().await().atMost(WAIT).state()).isEqualTo(TaskState.CANCELLED);
        assertThat(handle.cancel().await().atMost(WAIT)).isFalse();
    }

    @Test
    void aFailedTaskIsRetriedAndAttemptsCountEveryRun() {
        TaskHandle handle = queue.submit("fail", "again", TaskOptions.builder().retries(2).build())
                .await().atMost(WAIT);

        TaskResult result = handle.await().await().atMost(WAIT);

        assertThat(result.state()).isEqualTo(TaskState.FAILED);
        assertThat(result.attempts()).isEqualTo(3);
    }
}
