package io.quarkiverse.taskqueue.cli;

import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "group", mixinStandardHelpOptions = true,
        description = "Shows a group's counts by state; --watch follows them until every task is final.")
public class GroupCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ID", description = "The group id.")
    String id;

    @Option(names = "--watch", description = "Prints the counts as they change, until the group is done.")
    boolean watch;

    @Option(names = "--json", description = "Prints JSON (one object per line with --watch).")
    boolean json;

    @Mixin
    Target target;

    @Override
    public Integer call() throws Exception {
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

    static String line(GroupSummary s) {
        return String.format("%s: %d total, %d queued, %d running, %d succeeded, %d failed, %d cancelled%s",
                s.groupId(), s.total(), s.queued(), s.running(), s.succeeded(), s.failed(), s.cancelled(),
                s.done() ? " (done)" : "");
    }
}
