package io.quarkiverse.taskqueue.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkiverse.taskqueue.TaskQueue;

/** A group's completion callback, as an application writes one: it reads the summary of the group it follows. */
@Singleton
public class GroupCallbacks {

    @Inject
    TaskQueue queue;

    /** The summaries each callback read, by the group id it was given. */
    public final Map<String, List<GroupSummary>> seen = new ConcurrentHashMap<>();

    @TaskHandler("group_done")
    void groupDone(String groupId) {
        GroupSummary summary = queue.existingGroup(groupId).summary().await().atMost(Duration.ofSeconds(30));
        seen.computeIfAbsent(groupId, k -> new CopyOnWriteArrayList<>()).add(summary);
    }
}
