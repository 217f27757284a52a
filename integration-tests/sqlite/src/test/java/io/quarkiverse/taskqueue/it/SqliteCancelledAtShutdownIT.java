package io.quarkiverse.taskqueue.it;

import static io.quarkiverse.taskqueue.it.AppProcess.awaitTrue;
import static io.quarkiverse.taskqueue.it.AppProcess.query;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** A task whose cancel was asked for while it ran is not put back by a graceful shutdown: it ends CANCELLED. */
class SqliteCancelledAtShutdownIT {

    @Test
    void aTaskCancelledWhileRunningEndsCancelledAtShutdownAndDoesNotRunAgain() throws Exception {
        Path store = AppProcess.freshFile("cancel-shutdown");
        long cancelled;
        long other;
        try (AppProcess app = AppProcess.start(store, "it.scenario=cancel-running",
                "quarkus.taskqueue.shutdown-timeout=500ms")) {
            Matcher m = Pattern.compile("SCENARIO cancelled=(\\d+) other=(\\d+)")
                    .matcher(app.scenarioLine(Duration.ofSeconds(60)));
            assertThat(m.matches()).isTrue();
            cancelled = Long.parseLong(m.group(1));
            other = Long.parseLong(m.group(2));
        } // SIGTERM: both handlers ignore it and are released after 500 ms

        assertThat(query(store, "SELECT state FROM tq_task WHERE id = " + cancelled)).isEqualTo(6); // CANCELLED
        assertThat(query(store, "SELECT state FROM tq_task WHERE id = " + other)).isEqualTo(1); // QUEUED
        assertThat(query(store, "SELECT count(*) FROM tq_ready WHERE seq = " + cancelled)).isZero();

        try (AppProcess again = AppProcess.start(store, "it.scenario=none")) {
            awaitTrue(Duration.ofSeconds(60), "the released task runs again",
                    () -> query(store, "SELECT state FROM tq_task WHERE id = " + other) == 2);
            assertThat(query(store, "SELECT state FROM tq_task WHERE id = " + cancelled)).isEqualTo(6);
            assertThat(query(store, "SELECT attempts FROM tq_task WHERE id = " + cancelled)).isEqualTo(1);
        }
    }
}
