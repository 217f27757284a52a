package io.quarkiverse.taskqueue.runtime.store;

import java.util.List;

import io.quarkiverse.taskqueue.GroupSummary;

/** Told by the store what it committed, after the commit. */
public interface StoreListener {

    /** Completions that were written ({@code applied}); completions of tasks cancelled meanwhile are left out. */
    void completed(List<Completion> applied, List<GroupSummary> completedGroups);

    /**
     * Tasks that became final without a completion of this node's dispatcher: cancelled or superseded, or failed by
     * lease recovery after their node stopped.
     */
    void finishedWithoutRunning(List<Ended> tasks, List<GroupSummary> completedGroups);

    /** Another node committed tasks that may run now (a store shared by several nodes tells this). */
    void tasksWaiting();
}
