package io.quarkiverse.taskqueue.cli;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkiverse.taskqueue.TaskHandler;

/**
 * The demo's task. It is registered in a store only by the {@code demo} command, which runs on a fresh store
 * file of its own: the other commands run without workers and so register no task type.
 */
@ApplicationScoped
public class DemoHandlers {

    private final AtomicLong ran = new AtomicLong();

    /** How many demo tasks ran in this process. */
    public long ran() {
        return ran.get();
    }

    @TaskHandler("demo_noop")
    void noop(int n) {
        ran.incrementAndGet();
    }
}
