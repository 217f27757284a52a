package io.quarkiverse.taskqueue.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.quarkiverse.taskqueue.GroupFailedException;
import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskGroup;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskResult;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

final class TaskGroupImpl implements TaskGroup {

    /** How often {@link #progress()} looks at the group's counts. */
    static final Duration PROGRESS_INTERVAL = Duration.ofMillis(200);

    private final TaskQueueImpl queue;
    private final String id;
    private volatile List<TaskHandle> handles;

    TaskGroupImpl(TaskQueueImpl queue, String id, List<TaskHandle> handles) {
        this.queue = queue;
        this.id = id;
        this.handles = handles == null ? null : List.copyOf(handles);
    }

    @Override
    public String id() {
        return id;
    }

    /** For a group from {@code existingGroup()}, this reads the store: call it off the event loop. */
    @Override
    public List<TaskHandle> handles() {
        List<TaskHandle> h = handles;
        if (h == null) {
            List<TaskHandle> loaded = new ArrayList<>();
            for (TaskId taskId : queue.store().groupTasks(id).await().indefinitely()) {
                loaded.add(queue.handle(taskId, null));
            }
            h = handles = List.copyOf(loaded);
        }
        return h;
    }

    @Override
    public Uni<GroupSummary> await() {
        return queue.deliver(queue.awaitGroup(id));
    }

    @Override
    public Uni<GroupSummary> await(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return await().ifNoItem().after(timeout).fail();
    }

    @Override
    public <T> Uni<List<T>> values(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return queue.deliver(queue.awaitGroup(id).chain(summary -> queue.store().groupTasks(id))
                .chain(ids -> queue.store().results(ids))
                .map(results -> {
                    Map<TaskId, String> failures = new LinkedHashMap<>();
                    List<T> values = new ArrayList<>(results.size());
                    for (TaskResult r : results) {
                        if (r.state() != TaskState.SUCCEEDED) {
                            failures.put(r.id(), r.error() != null ? r.error() : r.state().name());
                            continue;
                        }
                        try {
                            values.add(r.value() == null ? null : queue.mapper().readValue(r.value(), type));
                        } catch (Exception e) {
                            throw new IllegalArgumentException("The value of task " + r.id() + " cannot be read as "
                                    + type.getName() + ": " + e.getMessage(), e);
                        }
                    }
                    if (!failures.isEmpty()) {
                        throw new GroupFailedException(id, failures);
                    }
                    return values;
                }));
    }

    @Override
    public Uni<Integer> cancel() {
        return queue.deliver(queue.store().cancelGroup(id).map(result -> {
            result.running().forEach(queue.dispatcher()::requestCancel);
            return result.cancelled().size();
        }));
    }

    @Override
    public Uni<TaskHandle> onComplete(TaskSubmission callback) {
        Objects.requireNonNull(callback, "callback");
        return queue.deliver(queue.attachCallback(id, callback, null));
    }

    @Override
    public Uni<GroupSummary> summary() {
        return queue.deliver(queue.store().groupSummary(id)
                .onItem().ifNull().failWith(() -> new IllegalArgumentException("No group with id " + id)));
    }

    @Override
    public Multi<GroupSummary> progress() {
        Multi<GroupSummary> changes = Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(PROGRESS_INTERVAL)
                .onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> queue.store().groupSummary(id))
                .skip().repetitions()
                .select().first(s -> !s.done());
        return queue.deliverMulti(Multi.createBy().concatenating().streams(changes, await().toMulti()));
    }

    @Override
    public String toString() {
        return "TaskGroup[" + id + "]";
    }
}
