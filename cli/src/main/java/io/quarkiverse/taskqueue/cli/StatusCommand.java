package io.quarkiverse.taskqueue.cli;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskInfo;
import io.quarkiverse.taskqueue.TaskResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Shows a task: its state, attempts, result.")
public class StatusCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ID", description = "The task id.")
    String id;

    @Option(names = "--json", description = "Prints the task as JSON.")
    boolean json;

    @Mixin
    Target target;

    @Override
    public Integer call() throws Exception {
        ObjectNode node;
        if (target.remote()) {
            RestClient.Reply reply = target.client().get("/tasks/" + id);
            if (reply.status() != 200) {
                return Remote.failed(reply);
            }
            node = (ObjectNode) Cli.mapper().readTree(reply.body());
        } else {
            TaskId taskId;
            try {
                taskId = TaskId.parse(id);
            } catch (IllegalArgumentException e) {
                System.err.println("taskqueue: " + e.getMessage());
                return ExitCodes.ERROR;
            }
            TaskInfo info = Cli.store().info(taskId).await().atMost(Cli.WAIT);
            if (info == null) {
                System.err.println("taskqueue: no task with id " + taskId);
                return ExitCodes.NOT_FOUND;
            }
            TaskResult result = Cli.store().result(taskId).await().atMost(Cli.WAIT);
            node = Cli.json().info(info, result);
        }
        print(node, json);
        return ExitCodes.OK;
    }

    /** One {@code field: value} line per field that has a value, or the JSON. */
    static void print(ObjectNode node, boolean json) {
        if (json) {
            System.out.println(Cli.json().write(node));
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().isNull()) {
                String value = field.getValue().isValueNode() ? field.getValue().asText() : field.getValue().toString();
                System.out.printf("%-15s %s%n", field.getKey() + ":", value);
            }
        }
    }
}
