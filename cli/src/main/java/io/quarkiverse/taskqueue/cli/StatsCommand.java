package io.quarkiverse.taskqueue.cli;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Counts the tasks by state and by type, and shows the age of the oldest waiting task.")
public class StatsCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Prints the counts as JSON.")
    boolean json;

    @Mixin
    Target target;

    @Override
    public Integer call() throws Exception {
        ObjectNode stats;
        if (target.remote()) {
            RestClient.Reply reply = target.client().get("/stats");
            if (reply.status() != 200) {
                return Remote.failed(reply);
            }
            stats = (ObjectNode) Cli.mapper().readTree(reply.body());
        } else {
            stats = Cli.json().stats(Cli.store().stats().await().atMost(Cli.WAIT));
        }
        if (json) {
            System.out.println(Cli.json().write(stats));
            return ExitCodes.OK;
        }
        System.out.printf("tasks: %s%n", Cli.count(stats.path("total").asLong()));
        System.out.println("by state:");
        for (Iterator<Map.Entry<String, JsonNode>> it = stats.path("byState").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            System.out.printf("  %-12s %12s%n", e.getKey(), Cli.count(e.getValue().asLong()));
        }
        System.out.println("by type:");
        for (Iterator<Map.Entry<String, JsonNode>> it = stats.path("byType").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> type = it.next();
            StringBuilder states = new StringBuilder();
            for (Iterator<Map.Entry<String, JsonNode>> s = type.getValue().fields(); s.hasNext();) {
                Map.Entry<String, JsonNode> e = s.next();
                states.append(states.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                        .append(Cli.count(e.getValue().asLong()));
            }
            System.out.printf("  %-20s %s%n", type.getKey(), states);
        }
        JsonNode oldest = stats.path("oldestWaitingMillis");
        System.out.printf("oldest waiting: %s%n", oldest.isNumber() ? Cli.seconds(oldest.asLong() * 1_000_000L) : "none");
        return ExitCodes.OK;
    }
}
