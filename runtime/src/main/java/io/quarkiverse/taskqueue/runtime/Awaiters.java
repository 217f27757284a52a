package io.quarkiverse.taskqueue.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskNotFoundException;
import io.quarkiverse.taskqueue.TaskResult;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;
import io.smallrye.mutiny.Uni;

/**
 * Waiters on tasks becoming final. Lazy: nothing is kept for a task nobody awaits. A waiter registers first,
 * then reads the task, so a task that finished before the registration is not missed; the result is always
 * read from the store after the commit that made it final.
 */
final class Awaiters {

    private final TaskStore store;
    private final ConcurrentHashMap<TaskId, CompletableFuture<TaskResult>> waiting = new ConcurrentHashMap<>();

    Awaiters(TaskStore store) {
        this.store = store;
    }

    Uni<TaskResult> await(TaskId id) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<TaskResult> future = waiting.computeIfAbsent(id, k -> new CompletableFuture<>());
            store.result(id).subscribe().with(result -> {
                if (result == null) {
                    waiting.remove(id, future);
                    future.completeExceptionally(new TaskNotFoundException(id));
                } else if (result.state().isFinal()) {
                    waiting.remove(id, future);
                    future.complete(result);
                }
            }, e -> {
                waiting.remove(id, future);
                future.completeExceptionally(e);
            });
            // a copy per subscriber: one that gives up (a timeout, a cancel) must not cancel the others' wait
            return Uni.createFrom().completionStage(future.copy());
        });
    }

    /** Called after the commit that made these tasks final. */
    void finished(List<TaskId> ids) {
        if (waiting.isEmpty()) {
            return;
        }
        List<TaskId> awaited = new ArrayList<>();
        for (TaskId id : ids) {
            if (waiting.containsKey(id)) {
                awaited.add(id);
            }
        }
        if (awaited.isEmpty()) {
            return;
        }
        // one read for the whole commit, not one per task: thousands of awaits must not queue thousands of reads
        store.results(awaited).subscribe().with(results -> {
            for (TaskResult r : results) {
                CompletableFuture<TaskResult> future = waiting.remove(r.id());
                if (future != null) {
                    future.complete(r);
                }
            }
        }, e -> {
            for (TaskId id : awaited) {
                CompletableFuture<TaskResult> future = waiting.remove(id);
                if (future != null) {
                    future.completeExceptionally(e);
                }
            }
        });
    }

    /** Looks again at every awaited task: covers tasks finished by another process. */
    void recheck() {
        if (waiting.isEmpty()) {
            return;
        }
        List<TaskId> ids = new ArrayList<>(waiting.keySet());
        store.results(ids).subscribe().with(results -> {
            for (TaskResult r : results) {
                if (r.state().isFinal()) {
                    CompletableFuture<TaskResult> future = waiting.remove(r.id());
                    if (future != null) {
                        future.complete(r);
                    }
                }
            }
        }, e -> {
        });
    }
}
