package io.quarkiverse.taskqueue;

/**
 * Counts of a group's tasks by state. {@code queued} counts SCHEDULED, QUEUED and RETRYING tasks;
 * {@code cancelled} counts CANCELLED and SUPERSEDED ones.
 */
public record GroupSummary(String groupId, int total, int queued, int running, int succeeded, int failed,
        int cancelled) {

    /** True when every task of the group is final, whatever the states. */
    public boolean done() {
        return queued == 0 && running == 0 && succeeded + failed + cancelled == total;
    }
}
