package io.quarkiverse.taskqueue.cli;

import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskInfo;
import io.quarkiverse.taskqueue.TaskQueue;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancels a task, or the tasks of a group that have not started (running ones are asked to stop).")
public class CancelCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static class What {
        @Parameters(index = "0", paramLabel = "ID", description = "The task id.")
        String taskId;

        @Option(names = "--group", paramLabel = "ID", description = "Cancels the group's tasks instead.")
        String groupId;
    }

    @Mixin
    Target target;

    @Override
    public Integer call() throws Exception {
        if (what.groupId != null) {
            return cancelGroup(what.groupId);
        }
        if (target.remote()) {
            RestClient.Reply reply = target.client().delete("/tasks/" + what.taskId);
            if (reply.status() != 200) {
                return Remote.failed(reply);
            }
            JsonNode node = Cli.mapper().readTree(reply.body());
            return report(what.taskId, node.path("cancelled").asBoolean(), node.path("state").asText());
        }
        TaskId id;
        try {
            id = TaskId.parse(what.taskId);
        } catch (IllegalArgumentException e) {
            System.err.println("taskqueue: " + e.getMessage());
            return ExitCodes.ERROR;
        }
        TaskQueue queue = Cli.queue();
        if (Cli.store().info(id).await().atMost(Cli.WAIT) == null) {
            System.err.println("taskqueue: no task with id " + id);
            return ExitCodes.NOT_FOUND;
        }
        boolean cancelled = queue.task(id).cancel().await().atMost(Cli.WAIT);
        TaskInfo after = Cli.store().info(id).await().atMost(Cli.WAIT);
        return report(id.toString(), cancelled, after.state().name());
    }

    private static int report(String id, boolean cancelled, String state) {
        if (cancelled) {
            System.out.printf("task %s: cancel %s (state %s)%n",
                    id, "CANCELLED".equals(state) ? "done" : "requested", state);
            return ExitCodes.OK;
        }
        System.out.printf("task %s: not cancelled, it is %s%n", id, state);
        return ExitCodes.SOME_FAILED;
    }

    private int cancelGroup(String groupId) throws Exception {
        int n;
        if (target.remote()) {
            RestClient.Reply reply = target.client().delete("/groups/" + groupId);
            if (reply.status() != 200) {
                return Remote.failed(reply);
            }
            n = Cli.mapper().readTree(reply.body()).path("cancelled").asInt();
        } else {
            TaskQueue queue = Cli.queue();
            if (Cli.store().groupSummary(groupId).await().atMost(Cli.WAIT) == null) {
                System.err.println("taskqueue: no group with id " + groupId);
                return ExitCodes.NOT_FOUND;
            }
            n = queue.existingGroup(groupId).cancel().await().atMost(Cli.WAIT);
        }
        System.out.printf("group %s: %s task(s) cancelled%n", groupId, Cli.count(n));
        return ExitCodes.OK;
    }
}
