package io.quarkiverse.taskqueue.it;

import static io.quarkiverse.taskqueue.it.AppProcess.awaitTrue;
import static io.quarkiverse.taskqueue.it.AppProcess.query;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * Real crashes: the packaged application is killed with SIGKILL and started again on the same store file.
 * Delivery is at-least-once: nothing is lost, nothing stays RUNNING, some tasks may run twice.
 */
class SqliteCrashRecoveryIT {

    static final String SUCCEEDED = "4";
    static final String RUNNING = "2";

    @Test
    void aKillDuringTheDrainLosesNothing() throws Exception {
        Path store = AppProcess.freshFile("crash-drain");
        Path executions = AppProcess.freshFile("crash-executions");
        int tasks = 20_000;

        // a lease far longer than the test may wait: the restart must see that the killed process is gone
        try (AppProcess first = AppProcess.start(store, "it.scenario=drain", "it.count=" + tasks,
                "it.exec-db=" + executions, "quarkus.taskqueue.lease-duration=5m")) {
            awaitTrue(Duration.ofSeconds(60), "some tasks ran",
                    () -> query(executions, "SELECT count(*) FROM execution") >= 2_000);
            first.kill();
        }
        long succeededBeforeRestart = query(store, "SELECT count(*) FROM tq_task WHERE state = " + SUCCEEDED);
        assertThat(succeededBeforeRestart).isLessThan(tasks);

        try (AppProcess second = AppProcess.start(store, "it.exec-db=" + executions,
                "quarkus.taskqueue.lease-duration=5m")) {
            awaitTrue(Duration.ofSeconds(90), "every task succeeded",
                    () -> query(store, "SELECT count(*) FROM tq_task WHERE state = " + SUCCEEDED) == tasks);
        }

        assertThat(query(store, "SELECT count(*) FROM tq_task")).isEqualTo(tasks);
        assertThat(query(store, "SELECT count(*) FROM tq_task WHERE state = " + RUNNING)).isZero();
        assertThat(query(executions, "SELECT count(DISTINCT task_id) FROM execution")).isEqualTo(tasks);
    }

    @Test
    void aKillDuringABatchLeavesWholeChunksAndAResubmitFillsTheRest() throws Exception {
        int tasks = 100_000;
        int chunk = 1_000;
        for (int attempt = 0; attempt < 5; attempt++) {
            Path store = AppProcess.freshFile("crash-batch");
            try (AppProcess first = AppProcess.start(store, "it.scenario=batch", "it.count=" + tasks,
                    "it.chunk-size=" + chunk, "quarkus.taskqueue.worker.enabled=false")) {
                awaitTrue(Duration.ofSeconds(60), "the first chunks committed",
                        () -> query(store, "SELECT count(*) FROM tq_task") > 0);
                first.kill();
            }
            long written = query(store, "SELECT count(*) FROM tq_task");
            if (written >= tasks) {
                continue; // the batch finished before the kill landed: try again
            }
            assertThat(written % chunk).as("only whole chunks are committed").isZero();
            assertThat(query(store, "SELECT max(id) - min(id) + 1 FROM tq_task")).isEqualTo(written);

            try (AppProcess second = AppProcess.start(store, "it.scenario=batch", "it.count=" + tasks,
                    "it.chunk-size=" + chunk, "quarkus.taskqueue.worker.enabled=false")) {
                String outcome = second.scenarioLine(Duration.ofSeconds(60));
                assertThat(outcome).isEqualTo("SCENARIO submitted=" + (tasks - written) + " deduplicated=" + written
                        + " failed=0");
            }
            assertThat(query(store, "SELECT count(DISTINCT dedup_key) FROM tq_task")).isEqualTo(tasks);
            assertThat(query(store, "SELECT count(*) FROM tq_task")).isEqualTo(tasks);
            return;
        }
        throw new AssertionError("the batch always finished before the kill; could not test a mid-batch crash");
    }

    @Test
    void aTaskFailedByLeaseRecoveryEmitsItsEvent() throws Exception {
        Path store = AppProcess.freshFile("crash-event");
        String id;
        try (AppProcess first = AppProcess.start(store, "it.scenario=run-once")) {
            id = first.scenarioLine(Duration.ofSeconds(60)).substring("SCENARIO running=".length());
            first.kill();
        }
        try (AppProcess second = AppProcess.start(store, "it.scenario=watch-recovery")) {
            assertThat(second.scenarioLine(Duration.ofSeconds(60))).isEqualTo("SCENARIO failed=" + id
                    + " type=stubborn willRetry=false attempts=1 error=the node running it stopped (lease expired) and "
                    + "no retries are left");
            assertThat(second.scenarioLine(Duration.ofSeconds(10))).isEqualTo("SCENARIO end");
        }
    }
}
