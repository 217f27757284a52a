package io.quarkiverse.taskqueue.runtime;

import io.quarkiverse.taskqueue.TaskEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;

/**
 * The live event stream. Emitting never waits for a subscriber: each subscriber is decoupled by its own
 * {@code emitOn} with a buffer of {@value #SUBSCRIBER_BUFFER} events, and drops what does not fit, instead of
 * slowing the queue or being terminated.
 */
public final class TaskEvents {

    /** Events a subscriber may lag behind before it starts losing them. */
    static final int SUBSCRIBER_BUFFER = 16_384;

    private final BroadcastProcessor<TaskEvent> processor = BroadcastProcessor.create();

    public synchronized void emit(TaskEvent event) {
        processor.onNext(event);
    }

    public Multi<TaskEvent> stream() {
        return processor.onOverflow().drop().emitOn(Infrastructure.getDefaultExecutor(), SUBSCRIBER_BUFFER);
    }
}
