package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskSubmission;

/** What only the PostgreSQL store has to get right: its datasource, and text PostgreSQL cannot store. */
@io.quarkus.test.junit.QuarkusTest
class PostgresStoreSpecificTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    TaskQueue queue;

    @Test
    void theApplicationKeepsItsDatasourceAndNoSqliteFileIsWritten() {
        assertThat(ConfigProvider.getConfig().getValue("quarkus.datasource.db-kind", String.class))
                .isEqualTo("postgresql");
        assertThat(Files.exists(Path.of("taskqueue.db"))).isFalse();
        assertThat(FreshDatabase.queryLong("SELECT count(*) FROM tq_meta")).isEqualTo(1);
    }

    @Test
    void aKeyWithANulCharacterFailsAloneAndTheRestOfItsChunkIsWritten() {
        BatchOutcome outcome = queue.submitBatch(BatchSubmission.create().tasks(List.of(
                TaskSubmission.of("echo", "before"),
                TaskSubmission.of("echo", "bad key").dedupKey("nul\u0000key"),
                TaskSubmission.of("echo", "after")))).await().atMost(WAIT);

        assertThat(outcome.submitted()).hasSize(2);
        assertThat(outcome.failed()).singleElement().satisfies(f -> {
            assertThat(f.index()).isEqualTo(1);
            assertThat(f.message()).contains("dedup key").contains("U+0000");
        });
    }

    @Test
    void aPayloadWithANulCharacterIsStoredAndComesBackAsItWas() {
        String value = queue.submit("echo", "a\u0000b").chain(h -> h.value(String.class)).await().atMost(WAIT);

        assertThat(value).isEqualTo("a\u0000b");
    }
}
