package io.quarkiverse.taskqueue.runtime.dispatch;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import io.quarkiverse.taskqueue.TaskContext;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.runtime.handler.HandlerMethod;
import io.quarkiverse.taskqueue.runtime.store.ClaimedTask;
import io.smallrye.mutiny.subscription.Cancellable;

/** One attempt of a task on this node; it is also the handler's {@link TaskContext}. */
final class RunningTask implements TaskContext {

    final ClaimedTask task;
    final HandlerMethod handler;
    final Long timeoutMs;
    final long startedNanos = System.nanoTime();
    /** Set when the handler starts, if a timeout applies. */
    volatile Instant deadline;
    /** Guarded by this: the attempt is over, but its worker thread is still in the handler. */
    boolean releaseSlotOnReturn;
    final AtomicBoolean finished = new AtomicBoolean();
    volatile boolean cancelRequested;
    volatile boolean timedOut;
    /** Set before {@link #timedOut}. */
    volatile Exception timeout;
    volatile Thread thread;
    volatile Cancellable subscription;
    volatile long timerId = -1;

    RunningTask(ClaimedTask task, HandlerMethod handler, Long timeoutMs) {
        this.task = task;
        this.handler = handler;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public TaskId taskId() {
        return task.id();
    }

    @Override
    public String taskType() {
        return task.taskType();
    }

    @Override
    public int attempt() {
        return task.attempt();
    }

    @Override
    public String groupId() {
        return task.groupId();
    }

    @Override
    public boolean isCancellationRequested() {
        return cancelRequested || timedOut;
    }

    @Override
    public Instant deadline() {
        return deadline;
    }

    /** Asks the handler to stop: the flag, an interrupt for a blocking handler, a cancel for a Uni. */
    void stop() {
        synchronized (this) {
            Thread t = thread;
            if (t != null) {
                t.interrupt();
            }
        }
        Cancellable s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
