package io.quarkiverse.taskqueue.runtime.store;

import java.util.EnumMap;
import java.util.Map;

import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskState;

/** A group's task counts by state, summed into its {@link GroupSummary} the same way by every store. */
public final class GroupCounts {

    private final Map<TaskState, Integer> counts = new EnumMap<>(TaskState.class);

    public void add(TaskState state, int n) {
        counts.merge(state, n, Integer::sum);
    }

    public boolean isEmpty() {
        return counts.isEmpty();
    }

    /** {@code queued} counts the tasks waiting to run (retries included), {@code cancelled} the superseded ones too. */
    public GroupSummary summary(String groupId) {
        int total = 0;
        for (int n : counts.values()) {
            total += n;
        }
        return new GroupSummary(groupId, total,
                count(TaskState.SCHEDULED) + count(TaskState.QUEUED) + count(TaskState.RETRYING),
                count(TaskState.RUNNING), count(TaskState.SUCCEEDED), count(TaskState.FAILED),
                count(TaskState.CANCELLED) + count(TaskState.SUPERSEDED));
    }

    private int count(TaskState state) {
        return counts.getOrDefault(state, 0);
    }
}
