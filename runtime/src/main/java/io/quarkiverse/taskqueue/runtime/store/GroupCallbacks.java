package io.quarkiverse.taskqueue.runtime.store;

/**
 * How every store keeps a group's callbacks: a callback is a task written as SCHEDULED and never due, with the group
 * it waits for in {@code after_group}; the transaction that completes the group queues it. Written through the
 * store's usual insert (dedup, ids), first {@link #held} so that nothing can claim it before it is held.
 */
public final class GroupCallbacks {

    private GroupCallbacks() {
    }

    /** The callback as the insert writes it: delayed past any clock, not runnable until the store holds it. */
    public static NewTask held(NewTask t) {
        return new NewTask(t.index(), t.taskType(), t.payload(), t.dedupKey(), t.groupId(), t.concurrencyKey(),
                t.priority(), t.maxRetries(), t.retryPolicy(), t.timeoutMs(), Long.MAX_VALUE, t.name());
    }

    public static IllegalArgumentException unknownGroup(String groupId) {
        return new IllegalArgumentException("No group with id " + groupId
                + ": a callback is attached to a group that has tasks (submit them first)");
    }
}
