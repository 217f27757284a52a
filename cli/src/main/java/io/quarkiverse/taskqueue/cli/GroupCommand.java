package io.quarkiverse.taskqueue.cli;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskSubmission;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "group", mixinStandardHelpOptions = true,
        description = { "Shows a group's counts by state; --watch follows them until every task is final.",
                "--on-complete TYPE PAYLOAD attaches a callback: a task queued once when every task of the group is "
                        + "final (at once if it is already)." })
public class GroupCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ID", description = "The group id.")
    String id;

    @Option(names = "--watch", description = "Prints the counts as they change, until the group is done.")
    boolean watch;

    @Option(names = "--json", description = "Prints JSON (one object per line with --watch).")
    boolean json;

    @Option(names = "--on-complete", arity = "2", paramLabel = "TYPE PAYLOAD",
            description = "Attaches a callback task of this type; PAYLOAD is JSON (text that is not JSON is a string).")
    List<String> onComplete;

    @Option(names = "--allow-unknown-types",
            description = "Attaches a callback type that no application using the store has registered.")
    boolean allowUnknownTypes;

    @Mixin
    Target target;

    @Override
    public Integer call() throws Exception {
        if (onComplete != null) {
            if (watch) {
                System.err.println("taskqueue: --on-complete attaches a callback; run --watch separately");
                return ExitCodes.ERROR;
            }
            return attachCallback(onComplete.get(0), payload(onComplete.get(1)));
        }
        if (target.remote()) {
            if (watch) {
                System.err.println("taskqueue: --watch works on a store (--db), not with --url");
                return ExitCodes.ERROR;
            }
            RestClient.Reply reply = target.client().get("/groups/" + id);
            if (reply.status() != 200) {
                return Remote.failed(reply);
            }
            StatusCommand.print((ObjectNode) Cli.mapper().readTree(reply.body()), json);
            return ExitCodes.OK;
        }
        TaskQueue queue = Cli.queue();
        GroupSummary summary = Cli.store().groupSummary(id).await().atMost(Cli.WAIT);
        if (summary == null) {
            System.err.println("taskqueue: no group with id " + id);
            return ExitCodes.NOT_FOUND;
        }
        if (!watch) {
            StatusCommand.print(Cli.json().summary(summary), json);
            return ExitCodes.OK;
        }
        for (GroupSummary s : queue.existingGroup(id).progress().subscribe().asIterable()) {
            if (json) {
                System.out.println(Cli.json().write(Cli.json().summary(s)));
            } else {
                System.out.println(line(s));
            }
        }
        return ExitCodes.OK;
    }

    private int attachCallback(String type, Object payload) throws Exception {
        ObjectNode attached;
        if (target.remote()) {
            ObjectNode item = Cli.mapper().createObjectNode().put("type", type);
            item.set("payload", Cli.mapper().valueToTree(payload));
            RestClient.Reply reply = target.client().postJson("/groups/" + id + "/callbacks",
                    Cli.mapper().writeValueAsString(item));
            if (reply.status() != 201) {
                return Remote.failed(reply);
            }
            attached = (ObjectNode) Cli.mapper().readTree(reply.body());
        } else {
            if (Cli.store().groupSummary(id).await().atMost(Cli.WAIT) == null) {
                System.err.println("taskqueue: no group with id " + id);
                return ExitCodes.NOT_FOUND;
            }
            Set<String> known = Cli.store().registeredTaskTypes().await().atMost(Cli.WAIT);
            if (!allowUnknownTypes && !known.contains(type)) {
                System.err.println("taskqueue: unknown task type '" + type + "': no application using this store "
                        + "registered it (registered: " + known + "); --allow-unknown-types attaches it anyway");
                return ExitCodes.ERROR;
            }
            TaskHandle handle;
            try {
                handle = Cli.queue().attachCallback(id, TaskSubmission.of(type, payload), t -> true)
                        .await().atMost(Cli.WAIT);
            } catch (IllegalArgumentException e) {
                System.err.println("taskqueue: " + e.getMessage());
                return ExitCodes.ERROR;
            }
            attached = Cli.mapper().createObjectNode().put("id", handle.id().toString())
                    .put("taskType", handle.taskType());
        }
        if (json) {
            System.out.println(Cli.json().write(attached.put("groupId", id)));
        } else {
            System.out.printf("Callback %s (%s) attached to group %s: it is queued when every task of the group is "
                    + "final%n", attached.path("id").asText(), type, id);
        }
        return ExitCodes.OK;
    }

    /** A payload argument: JSON, or a string when it is not JSON ({@code report-7} rather than {@code "report-7"}). */
    static Object payload(String argument) {
        try {
            return Cli.mapper().readValue(argument, Object.class);
        } catch (JsonProcessingException e) {
            return argument;
        }
    }

    static String line(GroupSummary s) {
        return String.format("%s: %d total, %d queued, %d running, %d succeeded, %d failed, %d cancelled%s",
                s.groupId(), s.total(), s.queued(), s.running(), s.succeeded(), s.failed(), s.cancelled(),
                s.done() ? " (done)" : "");
    }
}
