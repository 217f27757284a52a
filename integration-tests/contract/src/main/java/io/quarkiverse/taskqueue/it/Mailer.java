package io.quarkiverse.taskqueue.it;

import jakarta.inject.Inject;

import io.quarkiverse.taskqueue.TaskContext;
import io.quarkiverse.taskqueue.TaskHandler;

public class Mailer {

    @Inject
    Executions executions;

    @TaskHandler("send_email")
    void send(Email email, TaskContext ctx) {
        executions.sent.add(email);
        executions.threads.add(Thread.currentThread().getName());
        executions.contexts.add(ctx.taskId() + "|" + ctx.taskType() + "|" + ctx.attempt());
    }
}
