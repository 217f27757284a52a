package io.quarkiverse.taskqueue.it;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Singleton;

/** What the handlers of this test application did, for the tests to look at. */
@Singleton
public class Executions {

    public final ConcurrentLinkedQueue<Email> sent = new ConcurrentLinkedQueue<>();
    public final List<String> order = new CopyOnWriteArrayList<>();
    public final ConcurrentLinkedQueue<String> threads = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<String> contexts = new ConcurrentLinkedQueue<>();

    public void clear() {
        sent.clear();
        order.clear();
        threads.clear();
        contexts.clear();
    }
}
