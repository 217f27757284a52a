package io.quarkiverse.taskqueue.it;

import static io.quarkiverse.taskqueue.it.AppProcess.awaitTrue;
import static io.quarkiverse.taskqueue.it.AppProcess.query;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** A graceful shutdown waits for running tasks, then puts the ones still running back in the queue. */
class SqliteGracefulShutdownIT {

    @Test
    void tasksStillRunningAtShutdownGoBackToTheQueueWithoutCountingTheAttempt() throws Exception {
        Path store = AppProcess.freshFile("shutdown");
        try (AppProcess app = AppProcess.start(store, "it.scenario=sleepers", "it.count=4",
                "quarkus.taskqueue.shutdown-timeout=500ms")) {
            assertThat(app.scenarioLine(Duration.ofSeconds(60))).isEqualTo("SCENARIO submitted=4");
            awaitTrue(Duration.ofSeconds(30), "the tasks are running",
                    () -> query(store, "SELECT count(*) FROM tq_task WHERE state = 2") == 4);
            long started = System.currentTimeMillis();
            app.close(); // SIGTERM

            assertThat(System.currentTimeMillis() - started).isLessThan(20_000);
        }
        assertThat(query(store, "SELECT count(*) FROM tq_task WHERE state = 1 AND attempts = 0")).isEqualTo(4);
        assertThat(query(store, "SELECT count(*) FROM tq_ready")).isEqualTo(4);
    }
}
