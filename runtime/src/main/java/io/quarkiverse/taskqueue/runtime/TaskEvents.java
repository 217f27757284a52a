package io.quarkiverse.taskqueue.runtime;

import io.quarkiverse.taskqueue.TaskEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;

/**
 * The live event stream. Emitting never waits for a subscriber: each subscriber is decoupled by its own
 * {@code emitOn} and drops what it cannot keep up with, instead of slowing the queue or being terminated.
 */
public final class TaskEvents {

    private final BroadcastProcessor<TaskEvent> processor = BroadcastProcessor.create();

    public synchronized void emit(TaskEvent event) {
        processor.onNext(event);
    }

    public Multi<TaskEvent> stream() {
        return processor.onOverflow().drop().emitOn(Infrastructure.getDefaultExecutor());
    }
}
