package io.quarkiverse.taskqueue.runtime;

import java.time.Duration;
import java.util.Objects;

import io.quarkiverse.taskqueue.TaskFailedException;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskInfo;
import io.quarkiverse.taskqueue.TaskNotFoundException;
import io.quarkiverse.taskqueue.TaskResult;
import io.quarkiverse.taskqueue.TaskState;
import io.smallrye.mutiny.Uni;

final class TaskHandleImpl implements TaskHandle {

    private final TaskQueueImpl queue;
    private final TaskId id;
    private final String taskType;

    TaskHandleImpl(TaskQueueImpl queue, TaskId id, String taskType) {
        this.queue = queue;
        this.id = id;
        this.taskType = taskType;
    }

    @Override
    public TaskId id() {
        return id;
    }

    @Override
    public String taskType() {
        return taskType;
    }

    @Override
    public Uni<TaskInfo> info() {
        return queue.deliver(queue.store().info(id).onItem().ifNull().failWith(() -> new TaskNotFoundException(id)));
    }

    @Override
    public Uni<TaskResult> await() {
        return queue.deliver(queue.awaiters().await(id));
    }

    @Override
    public Uni<TaskResult> await(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return await().ifNoItem().after(timeout).fail();
    }

    @Override
    public <T> Uni<T> value(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return await().map(result -> {
            if (result.state() != TaskState.SUCCEEDED) {
                throw new TaskFailedException(result);
            }
            if (result.value() == null) {
                return null;
            }
            try {
                return queue.mapper().readValue(result.value(), type);
            } catch (Exception e) {
                throw new IllegalArgumentException("The value of task " + id + " cannot be read as " + type.getName()
                        + ": " + e.getMessage(), e);
            }
        });
    }

    @Override
    public Uni<Boolean> cancel() {
        return queue.deliver(queue.cancelTask(id));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskHandleImpl other && other.id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "TaskHandle[" + id + (taskType != null ? ", " + taskType : "") + "]";
    }
}
