package io.quarkiverse.taskqueue.bench;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkiverse.taskqueue.TaskHandler;

/** The bench's task handlers. All blocking (Vert.x worker threads of the task queue). */
@ApplicationScoped
public class BenchHandlers {

    /** The no-op task every throughput scenario runs; only counts itself. */
    @TaskHandler("bench_noop")
    void noop(int n) {
        Probe.ran();
    }

    /** Holds a worker slot until the gate opens: lets a backlog build up while the dispatcher runs. */
    @TaskHandler("bench_gate")
    void gate() throws InterruptedException {
        Probe.gatesStarted.countDown();
        Probe.gateOpen.await();
    }

    /** Latency probe: the first thing it does is read the clock. */
    @TaskHandler("bench_start")
    void start(int n) {
        long now = System.nanoTime();
        Probe.startedAt = now;
        Probe.started.countDown();
    }
}
