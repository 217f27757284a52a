package io.quarkiverse.taskqueue.runtime.json;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkiverse.taskqueue.BatchFailure;
import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.Superseded;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskInfo;
import io.quarkiverse.taskqueue.TaskResult;
import io.quarkiverse.taskqueue.runtime.store.TaskStore.QueueStats;

/**
 * The JSON forms of the API's values shared by the REST API and the CLI's {@code --json}. Task ids are written as
 * strings (their {@code TaskId.toString()} form), timestamps as ISO-8601 instants.
 */
public final class TaskJson {

    private final ObjectMapper mapper;

    public TaskJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public ObjectNode object() {
        return mapper.createObjectNode();
    }

    public ArrayNode array() {
        return mapper.createArrayNode();
    }

    public String write(Object node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** An error body: {@code {"error": message}}. */
    public ObjectNode error(String message) {
        return object().put("error", message);
    }

    /**
     * {@code {"batchId", "submitted": [ids], "deduplicated": [keys], "superseded": [{"task", "replaced"}],
     * "failed": [{"index", "line"?, "taskType", "message"}]}}; {@code lines} adds the input line of each failure
     * when it is known.
     */
    public ObjectNode outcome(BatchOutcome outcome, LineIndex lines) {
        ObjectNode node = object().put("batchId", outcome.batchId());
        ArrayNode submitted = node.putArray("submitted");
        for (TaskId id : outcome.submitted()) {
            submitted.add(id.toString());
        }
        ArrayNode deduplicated = node.putArray("deduplicated");
        outcome.deduplicated().forEach(deduplicated::add);
        ArrayNode superseded = node.putArray("superseded");
        for (Superseded s : outcome.superseded()) {
            superseded.addObject().put("task", s.task().toString()).put("replaced", s.replaced().toString());
        }
        ArrayNode failed = node.putArray("failed");
        for (BatchFailure f : outcome.failed()) {
            ObjectNode entry = failed.addObject().put("index", f.index());
            long line = lines == null ? -1 : lines.lineOf(f.index());
            if (line > 0) {
                entry.put("line", line);
            }
            entry.put("taskType", f.taskType()).put("message", f.message());
        }
        return node;
    }

    public ObjectNode info(TaskInfo info, TaskResult result) {
        ObjectNode node = object().put("id", info.id().toString()).put("taskType", info.taskType())
                .put("state", info.state().name()).put("attempts", info.attempts()).put("priority", info.priority())
                .put("groupId", info.groupId()).put("dedupKey", info.dedupKey())
                .put("concurrencyKey", info.concurrencyKey()).put("name", info.name());
        instant(node, "createdAt", info.createdAt());
        instant(node, "runAt", info.runAt());
        instant(node, "startedAt", info.startedAt());
        instant(node, "finishedAt", info.finishedAt());
        node.put("lastError", info.lastError());
        node.put("lastErrorClass", info.lastErrorClass());
        if (result != null && result.state().isFinal()) {
            if (result.value() == null) {
                node.putNull("value");
            } else {
                try {
                    node.set("value", mapper.readTree(result.value()));
                } catch (JsonProcessingException e) {
                    node.put("value", result.value());
                }
            }
            node.put("error", result.error());
        }
        return node;
    }

    public ObjectNode summary(GroupSummary s) {
        return object().put("groupId", s.groupId()).put("total", s.total()).put("queued", s.queued())
                .put("running", s.running()).put("succeeded", s.succeeded()).put("failed", s.failed())
                .put("cancelled", s.cancelled()).put("done", s.done());
    }

    /** {@code {"byState": {state: n}, "byType": {type: {state: n}}, "total", "oldestWaitingMillis"}}. */
    public ObjectNode stats(QueueStats stats) {
        ObjectNode node = object();
        ObjectNode byState = node.putObject("byState");
        ObjectNode byType = node.putObject("byType");
        long total = 0;
        for (Map.Entry<String, Map<String, Long>> type : stats.countsByTypeAndState().entrySet()) {
            ObjectNode t = byType.putObject(type.getKey());
            for (Map.Entry<String, Long> state : type.getValue().entrySet()) {
                t.put(state.getKey(), state.getValue());
                byState.put(state.getKey(), byState.path(state.getKey()).asLong() + state.getValue());
                total += state.getValue();
            }
        }
        node.put("total", total);
        if (stats.oldestWaitingMillis() == null) {
            node.putNull("oldestWaitingMillis");
        } else {
            node.put("oldestWaitingMillis", stats.oldestWaitingMillis());
        }
        return node;
    }

    private static void instant(ObjectNode node, String field, Instant value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value.toString());
        }
    }
}
