package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** A group is persisted: another application instance on the same store sees its tasks, summary and values. */
class SqliteGroupRestartIT {

    @Test
    void existingGroupSeesTheSameGroupAfterARestart() throws Exception {
        Path store = AppProcess.freshFile("group-restart");
        try (AppProcess first = AppProcess.start(store, "it.scenario=group-create", "it.count=500")) {
            assertThat(first.scenarioLine(Duration.ofSeconds(60)))
                    .isEqualTo("SCENARIO group=restart-group total=500 succeeded=500");
            assertThat(first.waitForExit(Duration.ofSeconds(30))).isTrue();
        }
        try (AppProcess second = AppProcess.start(store, "it.scenario=group-read")) {
            // sum of (i + i) for i in 0..499
            assertThat(second.scenarioLine(Duration.ofSeconds(60)))
                    .isEqualTo("SCENARIO total=500 succeeded=500 done=true handles=500 sum=249500");
        }
    }
}
