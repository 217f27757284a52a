package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.smallrye.mutiny.Multi;

/** submitStream reads its input chunk by chunk: memory stays bounded however long the stream. */
public abstract class SubmitStreamContract {

    static final int CHUNK = 10_000;
    static final int TOTAL = 1_000_000;

    @Inject
    TaskQueue queue;

    @Test
    void aMillionTasksAreReadOnlyAsFastAsChunksCommit() {
        AtomicLong produced = new AtomicLong();
        AtomicLong maxAhead = new AtomicLong();
        AtomicLong committed = new AtomicLong();
        Multi<TaskSubmission> tasks = Multi.createFrom().range(0, TOTAL)
                .map(i -> {
                    long ahead = produced.incrementAndGet() - committed.get();
                    maxAhead.accumulateAndGet(ahead, Math::max);
                    return TaskSubmission.of("noop", i);
                });

        long chunks = queue.submitStream(tasks, BatchSubmission.create().chunkSize(CHUNK))
                .onItem().invoke((BatchOutcome o) -> committed.addAndGet(o.submitted().size() + o.failed().size()))
                .collect().with(java.util.stream.Collectors.counting())
                .await().atMost(Duration.ofMinutes(3));

        assertThat(chunks).isEqualTo(TOTAL / CHUNK);
        assertThat(committed.get()).isEqualTo(TOTAL);
        // a few chunks are read ahead of what is committed, never the whole stream
        assertThat(maxAhead.get()).isLessThanOrEqualTo(5L * CHUNK);
    }
}
