package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskInfo;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.runtime.store.ClaimBudget;
import io.quarkiverse.taskqueue.runtime.store.ClaimedTask;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;

/**
 * Lease expiry follows the queue's clock: a task claimed by a node that then goes silent (another host: no
 * process check can tell it is gone) is queued again once its lease has run out on the clock, not before, and
 * the lost attempt counts. Run on a submit-only node, so that no dispatcher of the test claims the task first.
 */
public abstract class LeaseClockContract extends ClockedContract {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final long LEASE_MS = Duration.ofMinutes(5).toMillis();
    /** An owner on another host, never renewing: only its lease can end its claim. */
    static final String SILENT_NODE = "elsewhere.example/1/silent";

    @Inject
    TaskQueue queue;

    @Inject
    TaskStore store;

    @Test
    void aSilentNodesTaskIsQueuedAgainOnlyOnceItsLeaseHasRunOutOnTheClock() {
        TaskHandle handle = queue.submit("add", List.of(1, 2), TaskOptions.builder().priority(1_000_000).retries(2)
                .build()).await().atMost(WAIT);
        List<ClaimedTask> claimed = store.claim(new OneSlot(), SILENT_NODE, LEASE_MS).await().atMost(WAIT);
        assertThat(claimed).extracting(ClaimedTask::id).containsExactly(handle.id());
        assertThat(info(handle).state()).isEqualTo(TaskState.RUNNING);

        clock.advance(Duration.ofMillis(LEASE_MS - 60_000));
        store.recoverExpiredLeases().await().atMost(WAIT);
        assertThat(info(handle).state()).as("within its lease").isEqualTo(TaskState.RUNNING);

        clock.advance(Duration.ofMinutes(2));
        assertThat(store.recoverExpiredLeases().await().atMost(WAIT)).isGreaterThanOrEqualTo(1);
        TaskInfo rescued = info(handle);
        assertThat(rescued.state()).isIn(TaskState.QUEUED, TaskState.RETRYING);
        assertThat(rescued.attempts()).as("the lost attempt counts").isEqualTo(1);
    }

    @Test
    void aLostLastAttemptFailsTheTaskWithTheReason() {
        // above the other test's task, which stays queued on this submit-only node
        TaskHandle handle = queue.submit("add", List.of(1, 2), TaskOptions.builder().priority(2_000_000).retries(0)
                .build()).await().atMost(WAIT);
        assertThat(store.claim(new OneSlot(), SILENT_NODE, LEASE_MS).await().atMost(WAIT))
                .extracting(ClaimedTask::id).containsExactly(handle.id());

        clock.advance(Duration.ofMillis(LEASE_MS + 1_000));
        store.recoverExpiredLeases().await().atMost(WAIT);

        TaskInfo failed = info(handle);
        assertThat(failed.state()).isEqualTo(TaskState.FAILED);
        assertThat(failed.lastError()).contains("lease expired");
    }

    private TaskInfo info(TaskHandle handle) {
        return handle.info().await().atMost(WAIT);
    }

    private static final class OneSlot implements ClaimBudget {
        private int slots = 1;

        @Override
        public int reserveSlots() {
            int s = slots;
            slots = 0;
            return s;
        }

        @Override
        public void releaseSlots(int unused) {
            slots += unused;
        }

        @Override
        public Map<String, Integer> keyCapacity() {
            return Map.of();
        }
    }
}
