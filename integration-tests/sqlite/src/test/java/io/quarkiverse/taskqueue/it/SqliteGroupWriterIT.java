package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * A group that a live application is still adding to stays open when another process opens the same store
 * (the CLI's stats or status, a submit-only node): only the groups of a dead writer are released.
 */
class SqliteGroupWriterIT {

    @Test
    void anotherProcessOpeningTheStoreDoesNotCompleteAGroupStillBeingWritten() throws Exception {
        Path store = AppProcess.freshFile("group-writer");
        Path marker = Path.of("target", "group-writer-" + System.nanoTime() + ".marker");
        try (AppProcess writer = AppProcess.start(store, "it.scenario=group-held", "it.marker=" + marker)) {
            assertThat(writer.scenarioLine(Duration.ofSeconds(60))).isEqualTo("SCENARIO first-chunk");
            try (AppProcess reader = AppProcess.start(store, "it.scenario=idle", "quarkus.taskqueue.worker.enabled=false")) {
                assertThat(reader.scenarioLine(Duration.ofSeconds(60))).isEqualTo("SCENARIO up");
            }
            try (AppProcess worker = AppProcess.start(store, "it.scenario=idle")) {
                assertThat(worker.scenarioLine(Duration.ofSeconds(60))).isEqualTo("SCENARIO up");
            }
            Files.writeString(marker, "go");

            // the first chunk's tasks end (cancelled) while the stream is open: no completion until it ends
            assertThat(writer.scenarioLine(Duration.ofSeconds(60)))
                    .isEqualTo("SCENARIO completions=1 total=10 cancelled=5 succeeded=5");
        }
    }

    @Test
    void theGroupsOfAWriterThatDiedAreReleasedAtTheNextStart() throws Exception {
        Path store = AppProcess.freshFile("group-writer-dead");
        Path marker = Path.of("target", "group-writer-dead-" + System.nanoTime() + ".marker");
        try (AppProcess writer = AppProcess.start(store, "it.scenario=group-held", "it.marker=" + marker)) {
            assertThat(writer.scenarioLine(Duration.ofSeconds(60))).isEqualTo("SCENARIO first-chunk");
            writer.kill();
        }
        assertThat(AppProcess.query(store, "SELECT open_submissions FROM tq_group WHERE id = 'held-group'")).isEqualTo(1);
        try (AppProcess next = AppProcess.start(store, "it.scenario=idle")) {
            assertThat(next.scenarioLine(Duration.ofSeconds(60))).isEqualTo("SCENARIO up");
            AppProcess.awaitTrue(Duration.ofSeconds(30), "the dead writer's group is released",
                    () -> AppProcess.query(store, "SELECT open_submissions FROM tq_group WHERE id = 'held-group'") == 0
                            && AppProcess.query(store, "SELECT count(*) FROM tq_group_writer") == 0);
        }
    }
}
