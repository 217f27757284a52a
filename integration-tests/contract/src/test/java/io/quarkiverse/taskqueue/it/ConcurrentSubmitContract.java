package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.smallrye.mutiny.Uni;

/** Many submitters at once: one writer, no SQLITE_BUSY, nothing lost. */
public abstract class ConcurrentSubmitContract {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    TaskQueue queue;

    @Test
    void concurrentSingleSubmitsAndBatchesAllLand() {
        List<Uni<TaskHandle>> singles = IntStream.range(0, 500).mapToObj(i -> queue.submit("noop", i)).toList();
        List<Uni<BatchOutcome>> batches = IntStream.range(0, 8).mapToObj(b -> queue.submitBatch(
                IntStream.range(0, 1000).mapToObj(i -> TaskSubmission.of("noop", i)).toList())).toList();

        List<TaskHandle> handles = Uni.join().all(singles).andFailFast().await().atMost(WAIT);
        List<BatchOutcome> outcomes = Uni.join().all(batches).andFailFast().await().atMost(WAIT);

        Set<TaskId> ids = handles.stream().map(TaskHandle::id).collect(Collectors.toSet());
        outcomes.forEach(o -> ids.addAll(o.submitted()));
        assertThat(ids).hasSize(500 + 8 * 1000);
        assertThat(outcomes).allSatisfy(o -> assertThat(o.failed()).isEmpty());
        for (TaskHandle h : handles) {
            assertThat(h.await().await().atMost(WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        }
    }
}
