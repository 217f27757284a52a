package io.quarkiverse.taskqueue.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.TaskState;

/** The stored state codes are a fixed table, whatever the order of the public enum. */
class StateCodesTest {

    @Test
    void theCodesAreTheOnesExistingFilesHold() {
        Map<TaskState, Integer> codes = new EnumMap<>(TaskState.class);
        for (TaskState s : TaskState.values()) {
            codes.put(s, StateCodes.code(s));
        }
        assertThat(codes).containsExactlyInAnyOrderEntriesOf(Map.of(TaskState.SCHEDULED, 0, TaskState.QUEUED, 1,
                TaskState.RUNNING, 2, TaskState.RETRYING, 3, TaskState.SUCCEEDED, 4, TaskState.FAILED, 5,
                TaskState.CANCELLED, 6, TaskState.SUPERSEDED, 7));
    }

    @Test
    void everyCodeReadsBackAndActiveStatesAreTheLowCodes() {
        for (TaskState s : TaskState.values()) {
            assertThat(StateCodes.state(StateCodes.code(s))).isEqualTo(s);
            assertThat(StateCodes.code(s) < StateCodes.ACTIVE_BELOW).as(s.name()).isEqualTo(s.isActive());
        }
        assertThat(StateCodes.active("t.state")).isEqualTo("t.state < 4");
    }

    @Test
    void anUnknownCodeSaysTheFileIsNewer() {
        assertThatThrownBy(() -> StateCodes.state(8)).hasMessageContaining("Unknown stored task state 8")
                .hasMessageContaining("newer version");
    }
}
