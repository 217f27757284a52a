package io.quarkiverse.taskqueue.cli;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionException;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.taskqueue.runtime.TaskQueueImpl;
import io.quarkiverse.taskqueue.runtime.json.TaskJson;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;
import io.quarkus.arc.Arc;

/** What the commands share: the beans, and the way they print. */
final class Cli {

    static final Duration WAIT = Duration.ofSeconds(60);

    private Cli() {
    }

    static TaskQueueImpl queue() {
        return Arc.container().instance(TaskQueueImpl.class).get();
    }

    /** The store, for the commands that read what the queue holds. */
    static TaskStore store() {
        return Arc.container().instance(TaskStore.class).get();
    }

    static ObjectMapper mapper() {
        return Arc.container().instance(ObjectMapper.class).get();
    }

    static TaskJson json() {
        return new TaskJson(mapper());
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof UncheckedIOException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    static String rate(long n, long nanos) {
        return String.format(Locale.ROOT, "%,.0f tasks/s", nanos <= 0 ? 0.0 : n / (nanos / 1e9));
    }
}
