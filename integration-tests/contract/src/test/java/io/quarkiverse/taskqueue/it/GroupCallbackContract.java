package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskGroup;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.TaskSubmission;

/** A group's callbacks are stored with it and queued once, when every task of the group is final. */
public abstract class GroupCallbackContract {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    TaskQueue queue;

    @Inject
    GroupCallbacks callbacks;

    @Inject
    Gate gate;

    @Test
    void callbacksRunOnceWhenATenThousandTaskGroupIsFinalWhateverTheStates() throws InterruptedException {
        String id = "import-" + UUID.randomUUID();
        gate.close();
        List<TaskSubmission> tasks = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            tasks.add(TaskSubmission.of("noop", i));
        }
        tasks.add(TaskSubmission.of("fail", "one bad row").options(TaskOptions.builder().retries(0).build()));
        tasks.add(TaskSubmission.of("gate", null));
        TaskGroup group = queue.group(id, tasks).await().atMost(WAIT);

        TaskHandle first = group.onComplete(TaskSubmission.of("group_done", id)).await().atMost(WAIT);
        TaskHandle second = group.onComplete(TaskSubmission.of("group_done", id)).await().atMost(WAIT);
        assertThat(gate.awaitEntered()).isTrue();
        assertThat(first.info().await().atMost(WAIT).state()).as("held while the group runs")
                .isEqualTo(TaskState.SCHEDULED);
        assertThat(first.info().await().atMost(WAIT).groupId()).as("not a member of the group").isNull();
        gate.open();

        assertThat(first.await().await().atMost(WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(second.await().await().atMost(WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(callbacks.seen.get(id)).hasSize(2).allSatisfy(summary -> {
            assertThat(summary.done()).isTrue();
            assertThat(summary.total()).isEqualTo(10_002);
            assertThat(summary.succeeded()).isEqualTo(10_001);
            assertThat(summary.failed()).isEqualTo(1);
        });
        assertThat(group.summary().await().atMost(WAIT).total()).as("the callbacks are not counted in it")
                .isEqualTo(10_002);
    }

    @Test
    void aCallbackAttachedToACompletedGroupRunsAtOnce() {
        String id = "done-" + UUID.randomUUID();
        TaskGroup group = queue.group(id, "noop", List.of(1, 2, 3), TaskOptions.defaults()).await().atMost(WAIT);
        GroupSummary done = group.await().await().atMost(WAIT);

        TaskHandle callback = queue.existingGroup(id).onComplete(TaskSubmission.of("group_done", id))
                .await().atMost(WAIT);

        assertThat(callback.await().await().atMost(WAIT).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(callbacks.seen.get(id)).containsExactly(done);
    }

    @Test
    void aCancelledCallbackDoesNotRun() throws InterruptedException {
        String id = "cancelled-" + UUID.randomUUID();
        gate.close();
        TaskGroup group = queue.group(id, List.of(TaskSubmission.of("gate", null))).await().atMost(WAIT);
        TaskHandle callback = group.onComplete(TaskSubmission.of("group_done", id)).await().atMost(WAIT);
        assertThat(callback.cancel().await().atMost(WAIT)).isTrue();
        assertThat(gate.awaitEntered()).isTrue();
        gate.open();

        group.await().await().atMost(WAIT);
        assertThat(callback.await().await().atMost(WAIT).state()).isEqualTo(TaskState.CANCELLED);
        assertThat(callbacks.seen.get(id)).isNull();
    }

    @Test
    void badCallbacksAreRefusedNamingWhatIsWrong() {
        String id = "bad-" + UUID.randomUUID();
        assertThatThrownBy(() -> queue.existingGroup(id).onComplete(TaskSubmission.of("group_done", id))
                .await().atMost(WAIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("No group with id " + id);

        TaskGroup group = queue.group(id, "noop", List.of(1), TaskOptions.defaults()).await().atMost(WAIT);
        assertThatThrownBy(() -> group.onComplete(TaskSubmission.of("group_done", id).groupId("other"))
                .await().atMost(WAIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("remove its groupId");
        assertThatThrownBy(() -> group.onComplete(TaskSubmission.of("group_done", id)
                .options(TaskOptions.builder().delay(Duration.ofMinutes(1)).build())).await().atMost(WAIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("remove its delay");
        assertThatThrownBy(() -> group.onComplete(TaskSubmission.of("no_such_type", id)).await().atMost(WAIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no_such_type");
    }
}
