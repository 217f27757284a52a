package io.quarkiverse.taskqueue.runtime.store;

import java.util.List;

import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskId;

/** Told by the store what it committed, after the commit. */
public interface StoreListener {

    /** Completions that were written ({@code applied}); completions of tasks cancelled meanwhile are left out. */
    void completed(List<Completion> applied, List<GroupSummary> completedGroups);

    /** Tasks that became final without running (cancelled or superseded while waiting). */
    void finishedWithoutRunning(List<TaskId> tasks, List<GroupSummary> completedGroups);
}
