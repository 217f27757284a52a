package io.quarkiverse.taskqueue.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.DuplicateStrategy;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskState;
import io.quarkiverse.taskqueue.runtime.store.DedupPlanner.Dropped;

/** The dedup decisions, without a database. */
class DedupPlannerTest {

    static NewTask task(int index, String key) {
        return new NewTask(index, "t", "{}", key, null, null, 0, 3, null, null, 0, null);
    }

    @Test
    void inABatchTheLastTaskOfEachKeyWins() {
        List<NewTask> tasks = List.of(task(0, "a"), task(1, null), task(2, "b"), task(3, "a"), task(4, "a"));

        DedupPlanner.InBatch plan = DedupPlanner.lastWins(tasks);

        assertThat(plan.winners()).extracting(NewTask::index).containsExactly(1, 2, 4);
        assertThat(plan.dropped()).containsExactly(new Dropped(0, "a", 4), new Dropped(3, "a", 4));
    }

    @Test
    void aBatchWithoutRepeatedKeysIsKeptAsIs() {
        List<NewTask> tasks = List.of(task(0, "a"), task(1, null), task(2, "b"));

        DedupPlanner.InBatch plan = DedupPlanner.lastWins(tasks);

        assertThat(plan.winners()).isSameAs(tasks);
        assertThat(plan.dropped()).isEmpty();
    }

    @Test
    void againstAnActiveTaskTheStrategyDecides() {
        TaskId active = new TaskId(7);

        assertThat(DedupPlanner.decide("k", null, active, TaskState.QUEUED, DuplicateStrategy.SKIP))
                .isEqualTo(new DedupPlanner.Decision(Placement.Kind.SKIPPED, active, null));
        assertThat(DedupPlanner.decide("k", null, active, TaskState.QUEUED, DuplicateStrategy.SUPERSEDE))
                .isEqualTo(new DedupPlanner.Decision(Placement.Kind.SUPERSEDED, active, null));
        DedupPlanner.Decision fail = DedupPlanner.decide("k", null, active, TaskState.RUNNING, DuplicateStrategy.FAIL);
        assertThat(fail.kind()).isEqualTo(Placement.Kind.FAILED);
        assertThat(fail.message()).isEqualTo("dedup key 'k' is already used by active task 7 (RUNNING)");
    }

    @Test
    void withoutAKeyOrAnActiveTaskTheTaskIsInsertedAndAnEarlierOneInTheSameChunkWins() {
        assertThat(DedupPlanner.decide(null, null, null, null, DuplicateStrategy.FAIL).kind())
                .isEqualTo(Placement.Kind.INSERTED);
        assertThat(DedupPlanner.decide("k", null, null, null, DuplicateStrategy.FAIL).kind())
                .isEqualTo(Placement.Kind.INSERTED);
        TaskId earlier = new TaskId(9);
        assertThat(DedupPlanner.decide("k", earlier, new TaskId(7), TaskState.QUEUED, DuplicateStrategy.SUPERSEDE))
                .isEqualTo(new DedupPlanner.Decision(Placement.Kind.SKIPPED, earlier, null));
    }
}
