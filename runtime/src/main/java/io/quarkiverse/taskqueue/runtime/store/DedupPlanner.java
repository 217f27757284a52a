package io.quarkiverse.taskqueue.runtime.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.quarkiverse.taskqueue.DuplicateStrategy;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskState;

/**
 * Every dedup decision, for every store: within a batch the last task with a key wins; against the task already
 * active with the key, the batch's {@link DuplicateStrategy} decides. A store only finds the active tasks (one
 * query per chunk) and carries out the decisions.
 */
public final class DedupPlanner {

    private DedupPlanner() {
    }

    /** A task of a batch that lost its dedup key to a later task of the same batch. */
    public record Dropped(int index, String key, int winnerIndex) {
    }

    /** The tasks of a batch that keep their key (in input order) and the ones dropped for a later one. */
    public record InBatch(List<NewTask> winners, List<Dropped> dropped) {
    }

    /** Keeps the last task of each dedup key; tasks without a key are all kept. */
    public static InBatch lastWins(List<NewTask> tasks) {
        Map<String, Integer> last = new HashMap<>();
        int keyed = 0;
        for (int i = 0; i < tasks.size(); i++) {
            String key = tasks.get(i).dedupKey();
            if (key != null) {
                last.put(key, i);
                keyed++;
            }
        }
        if (last.size() == keyed) {
            return new InBatch(tasks, List.of());
        }
        List<NewTask> winners = new ArrayList<>(tasks.size() - (keyed - last.size()));
        List<Dropped> dropped = new ArrayList<>(keyed - last.size());
        for (int i = 0; i < tasks.size(); i++) {
            NewTask t = tasks.get(i);
            Integer keep = t.dedupKey() == null ? null : last.get(t.dedupKey());
            if (keep == null || keep == i) {
                winners.add(t);
            } else {
                dropped.add(new Dropped(t.index(), t.dedupKey(), tasks.get(keep).index()));
            }
        }
        return new InBatch(winners, dropped);
    }

    /** What to do with one task whose key is already taken; {@code other} is the task that has it. */
    public record Decision(Placement.Kind kind, TaskId other, String message) {
        static final Decision INSERT = new Decision(Placement.Kind.INSERTED, null, null);
    }

    /**
     * The decision for a task with dedup key {@code key}. {@code earlierInChunk} is a task written just before in the
     * same transaction with that key (single submits grouped together: the first wins), {@code active} the active
     * task with the key and {@code activeState} its state; either may be null.
     */
    public static Decision decide(String key, TaskId earlierInChunk, TaskId active, TaskState activeState,
            DuplicateStrategy onDuplicate) {
        if (key == null) {
            return Decision.INSERT;
        }
        if (earlierInChunk != null) {
            return new Decision(Placement.Kind.SKIPPED, earlierInChunk, null);
        }
        if (active == null) {
            return Decision.INSERT;
        }
        return switch (onDuplicate) {
            case SKIP -> new Decision(Placement.Kind.SKIPPED, active, null);
            case FAIL -> new Decision(Placement.Kind.FAILED, active,
                    "dedup key '" + key + "' is already used by active task " + active + " (" + activeState + ")");
            case SUPERSEDE -> new Decision(Placement.Kind.SUPERSEDED, active, null);
        };
    }
}
