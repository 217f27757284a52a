package io.quarkiverse.taskqueue.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskState;

/** The cancel decision and the group summary arithmetic, without a database. */
class PolicyTest {

    @Test
    void aCancelEndsAWaitingTaskAtOnceAsksARunningOneAndLeavesAFinishedOne() {
        assertThat(CancelResult.of(null)).isEqualTo(CancelResult.NOT_FOUND);
        for (TaskState waiting : new TaskState[] { TaskState.SCHEDULED, TaskState.QUEUED, TaskState.RETRYING }) {
            assertThat(CancelResult.of(waiting)).isEqualTo(CancelResult.CANCELLED);
        }
        assertThat(CancelResult.of(TaskState.RUNNING)).isEqualTo(CancelResult.REQUESTED);
        for (TaskState done : new TaskState[] { TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED,
                TaskState.SUPERSEDED }) {
            assertThat(CancelResult.of(done)).isEqualTo(CancelResult.ALREADY_FINISHED);
        }
    }

    @Test
    void aGroupSummaryCountsRetriesAsQueuedAndSupersededAsCancelled() {
        GroupCounts counts = new GroupCounts();
        counts.add(TaskState.SCHEDULED, 1);
        counts.add(TaskState.QUEUED, 2);
        counts.add(TaskState.RETRYING, 3);
        counts.add(TaskState.RUNNING, 4);
        counts.add(TaskState.SUCCEEDED, 5);
        counts.add(TaskState.FAILED, 6);
        counts.add(TaskState.CANCELLED, 7);
        counts.add(TaskState.SUPERSEDED, 8);

        assertThat(counts.summary("g")).isEqualTo(new GroupSummary("g", 36, 6, 4, 5, 6, 15));
        assertThat(new GroupCounts().summary("empty")).isEqualTo(new GroupSummary("empty", 0, 0, 0, 0, 0, 0));
    }
}
