package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskResult;
import io.quarkiverse.taskqueue.TaskState;

/** A worker slot is a thread: a handler that outlives its timeout keeps its slot until it returns. */
public abstract class WorkerSlotsContract {

    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    TaskQueue queue;

    @Test
    void aHandlerThatIgnoresItsTimeoutHoldsItsSlotAndTheNextTaskGetsItsFullTimeout() {
        TaskHandle stubborn = queue.submit("stubborn", 800L, TaskOptions.builder().retries(0)
                .timeout(Duration.ofMillis(100)).build()).await().atMost(WAIT);
        TaskHandle next = queue.submit("sleep", 50L, TaskOptions.builder().retries(0)
                .timeout(Duration.ofMillis(400)).build()).await().atMost(WAIT);

        TaskResult timedOut = stubborn.await().await().atMost(WAIT);
        TaskResult ran = next.await().await().atMost(WAIT);

        assertThat(timedOut.state()).isEqualTo(TaskState.FAILED);
        assertThat(timedOut.error()).contains("timed out after 100 ms");
        assertThat(ran.state()).as("its clock started when it did, not while it waited for the thread")
                .isEqualTo(TaskState.SUCCEEDED);
        long waited = Duration.between(stubborn.info().await().atMost(WAIT).startedAt(),
                next.info().await().atMost(WAIT).startedAt()).toMillis();
        assertThat(waited).as("the next task started only once the stubborn handler returned")
                .isGreaterThanOrEqualTo(700);
    }
}
