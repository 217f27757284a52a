package io.quarkiverse.taskqueue.it;

import jakarta.inject.Singleton;

import io.quarkiverse.taskqueue.TaskContext;
import io.quarkiverse.taskqueue.TaskHandler;

/** A task type only the observability tests use, so its meters count nothing else. */
@Singleton
public class Observed {

    /** {@code ok} succeeds, {@code fail} fails every attempt, {@code once} fails its first attempt only. */
    @TaskHandler("observed")
    String run(String mode, TaskContext ctx) {
        if (mode.equals("fail") || (mode.equals("once") && ctx.attempt() == 1)) {
            throw new IllegalStateException("observed failure of attempt " + ctx.attempt());
        }
        return mode;
    }
}
