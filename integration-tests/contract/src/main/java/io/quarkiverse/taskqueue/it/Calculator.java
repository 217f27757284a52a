package io.quarkiverse.taskqueue.it;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkiverse.taskqueue.TaskHandler;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;

@ApplicationScoped
public class Calculator {

    @Inject
    Executions executions;

    @TaskHandler("add")
    int add(int a, int b) {
        return a + b;
    }

    @TaskHandler("sum")
    long sum(List<Integer> numbers) {
        return numbers.stream().mapToLong(Integer::longValue).sum();
    }

    @TaskHandler("square")
    Uni<Integer> square(int x) {
        executions.threads.add((Context.isOnEventLoopThread() ? "event-loop:" : "other:")
                + Thread.currentThread().getName());
        return Uni.createFrom().item(x * x);
    }

    @TaskHandler("upper")
    CompletionStage<String> upper(String text) {
        return CompletableFuture.supplyAsync(text::toUpperCase);
    }

    @TaskHandler("echo")
    Object echo(Object value) {
        return value;
    }

    @TaskHandler("noop")
    void noop(int n) {
    }

    @TaskHandler("fail")
    void fail(String message) {
        throw new IllegalStateException(message);
    }

    @TaskHandler("record")
    void record(String label) {
        executions.order.add(label);
    }
}
