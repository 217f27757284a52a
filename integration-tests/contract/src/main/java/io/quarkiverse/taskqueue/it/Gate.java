package io.quarkiverse.taskqueue.it;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import io.quarkiverse.taskqueue.TaskContext;
import io.quarkiverse.taskqueue.TaskHandler;

/** A handler that holds its worker until the test opens the gate. */
@Singleton
public class Gate {

    private volatile CountDownLatch latch = new CountDownLatch(1);
    private volatile CountDownLatch entered = new CountDownLatch(1);

    public void close() {
        latch = new CountDownLatch(1);
        entered = new CountDownLatch(1);
    }

    public void open() {
        latch.countDown();
    }

    public boolean awaitEntered() throws InterruptedException {
        return entered.await(10, TimeUnit.SECONDS);
    }

    @TaskHandler("gate")
    void hold(TaskContext ctx) throws InterruptedException {
        entered.countDown();
        latch.await(30, TimeUnit.SECONDS);
    }
}
