package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.RetryPolicy;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskResult;
import io.quarkiverse.taskqueue.TaskState;

/** Delays and retry backoff follow the queue's clock: tests move it forward instead of waiting an hour. */
public abstract class QueueClockContract extends ClockedContract {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Duration HOUR = Duration.ofHours(1);

    @Inject
    TaskQueue queue;

    @Test
    void aTaskDelayedByAnHourRunsOnceTheClockHasMovedAnHour() {
        TaskHandle handle = queue.submit("add", List.of(1, 2), TaskOptions.builder().delay(HOUR).build())
                .await().atMost(WAIT);
        assertThat(handle.info().await().atMost(WAIT).state()).isEqualTo(TaskState.SCHEDULED);

        clock.advance(HOUR.plusSeconds(1));

        TaskResult result = handle.await().await().atMost(WAIT);
        assertThat(result.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(handle.value(Integer.class).await().atMost(WAIT)).isEqualTo(3);
    }

    @Test
    void aRetryWaitsForItsBackoffOnTheClock() throws InterruptedException {
        TaskHandle handle = queue.submit("flaky", 1, TaskOptions.builder().retries(1)
                .retryPolicy(RetryPolicy.fixed(HOUR)).build()).await().atMost(WAIT);
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        while (handle.info().await().atMost(WAIT).state() != TaskState.RETRYING) {
            assertThat(System.currentTimeMillis()).as("the first attempt failed").isLessThan(deadline);
            Thread.sleep(10);
        }

        clock.advance(HOUR.plusSeconds(1));

        assertThat(handle.await().await().atMost(WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(handle.info().await().atMost(WAIT).attempts()).isEqualTo(2);
    }
}
