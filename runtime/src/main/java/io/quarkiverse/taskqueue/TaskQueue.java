package io.quarkiverse.taskqueue;

import java.util.List;

import io.smallrye.common.annotation.CheckReturnValue;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** The task queue: inject it to submit tasks and follow them. */
public interface TaskQueue {

    @CheckReturnValue
    Uni<TaskHandle> submit(String taskType, Object payload);

    @CheckReturnValue
    Uni<TaskHandle> submit(String taskType, Object payload, TaskOptions options);

    @CheckReturnValue
    Uni<TaskHandle> submit(TaskSubmission task);

    /** Validates every task, then writes the batch in chunked transactions. */
    @CheckReturnValue
    Uni<BatchOutcome> submitBatch(BatchSubmission batch);

    @CheckReturnValue
    Uni<BatchOutcome> submitBatch(List<TaskSubmission> tasks);

    /** Writes the stream in chunks of {@code settings.chunkSize()}; one outcome per committed chunk. */
    @CheckReturnValue
    Multi<BatchOutcome> submitStream(Multi<TaskSubmission> tasks, BatchSubmission settings);

    /** One task of {@code taskType} per input, handles in input order. All-or-nothing on validation. */
    @CheckReturnValue
    Uni<List<TaskHandle>> map(String taskType, Iterable<?> inputs);

    @CheckReturnValue
    Uni<List<TaskHandle>> map(String taskType, Iterable<?> inputs, TaskOptions options);

    @CheckReturnValue
    Uni<TaskGroup> group(String groupId, List<TaskSubmission> tasks);

    @CheckReturnValue
    Uni<TaskGroup> group(String groupId, List<TaskSubmission> tasks, TaskOptions options);

    /** A group of tasks of one type, inputs interpreted as in {@link #map(String, Iterable)}; null id: generated. */
    @CheckReturnValue
    Uni<TaskGroup> group(String groupId, String taskType, Iterable<?> inputs, TaskOptions options);

    /** A handle on an existing task; never throws. */
    TaskHandle task(TaskId id);

    TaskGroup existingGroup(String groupId);

    /** A live stream of what happens to tasks. A slow subscriber loses events rather than slowing the queue. */
    Multi<TaskEvent> events();
}
