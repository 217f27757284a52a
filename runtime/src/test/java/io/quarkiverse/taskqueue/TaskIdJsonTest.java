package io.quarkiverse.taskqueue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** A user's endpoint that returns a BatchOutcome writes task ids as the REST API does: strings. */
class TaskIdJsonTest {

    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void aTaskIdIsWrittenAndReadAsItsTextForm() throws Exception {
        BatchOutcome outcome = new BatchOutcome("b1", List.of(new TaskId(1), new TaskId(42)), List.of(), List.of(),
                List.of());

        assertThat(mapper.readTree(mapper.writeValueAsString(outcome)).get("submitted").toString())
                .isEqualTo("[\"1\",\"42\"]");
        assertThat(mapper.readValue("\"42\"", TaskId.class)).isEqualTo(new TaskId(42));
    }
}
