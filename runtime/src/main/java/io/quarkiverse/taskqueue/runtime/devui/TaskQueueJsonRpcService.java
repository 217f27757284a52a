package io.quarkiverse.taskqueue.runtime.devui;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskInfo;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.runtime.RecentBatches;
import io.quarkiverse.taskqueue.runtime.TaskQueueImpl;
import io.quarkiverse.taskqueue.runtime.config.TaskQueueConfig;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The Dev UI's JSON-RPC methods (dev mode only): the live state of the queue, and the few actions a developer
 * needs while trying handlers out. Actions answer {@code {success, message}} rather than failing, so that the page
 * can show why something was refused.
 */
public class TaskQueueJsonRpcService {

    private static final Logger LOG = Logger.getLogger(TaskQueueJsonRpcService.class);
    static final int LIMIT = 50;

    @Inject
    TaskQueueImpl queue;

    @Inject
    TaskStore store;

    @Inject
    RecentBatches batches;

    @Inject
    TaskQueueConfig config;

    @Inject
    ObjectMapper mapper;

    /** The run-time settings that apply to every handler. */
    public JsonObject settings() {
        return new JsonObject()
                .put("retries", config.retries())
                .put("timeout", config.timeout().map(Object::toString).orElse(null))
                .put("workerEnabled", config.worker().enabled())
                .put("poolSize", config.worker().poolSize());
    }

    /** Task counts by type and state, totals by state, and the age of the oldest waiting task. */
    public Uni<JsonObject> counts() {
        return store.stats().map(stats -> {
            Map<String, Object> totals = new TreeMap<>();
            JsonObject byType = new JsonObject();
            stats.countsByTypeAndState().forEach((type, states) -> {
                JsonObject counts = new JsonObject();
                states.forEach((state, n) -> {
                    counts.put(state, n);
                    totals.merge(state, n, (a, b) -> (Long) a + (Long) b);
                });
                byType.put(type, counts);
            });
            return new JsonObject().put("byType", byType).put("totals", new JsonObject(totals))
                    .put("oldestWaitingMillis", stats.oldestWaitingMillis());
        });
    }

    /** This node's last batches, newest first. */
    public JsonArray recentBatches() {
        JsonArray list = new JsonArray();
        for (RecentBatches.Batch b : batches.newestFirst()) {
            list.add(new JsonObject().put("batchId", b.batchId()).put("at", Instant.ofEpochMilli(b.atMillis()).toString())
                    .put("count", b.count()).put("submitted", b.submitted()).put("deduplicated", b.deduplicated())
                    .put("superseded", b.superseded()).put("failed", b.failed()).put("millis", b.millis()));
        }
        return list;
    }

    /** The groups created last, with their progress. */
    public Uni<JsonArray> groups() {
        return store.recentGroups(LIMIT).map(groups -> {
            JsonArray list = new JsonArray();
            for (GroupSummary g : groups) {
                list.add(new JsonObject().put("groupId", g.groupId()).put("total", g.total()).put("queued", g.queued())
                        .put("running", g.running()).put("succeeded", g.succeeded()).put("failed", g.failed())
                        .put("cancelled", g.cancelled()).put("done", g.done()));
            }
            return list;
        });
    }

    /** FAILED tasks, and RETRYING ones, with their last error, most recent first. */
    public Uni<JsonArray> failedTasks() {
        return store.failedTasks(LIMIT).map(tasks -> {
            JsonArray list = new JsonArray();
            for (TaskInfo t : tasks) {
                list.add(info(t));
            }
            return list;
        });
    }

    /** One task, with its result once it has one; {@code null} for an unknown id. */
    public Uni<JsonObject> task(String id) {
        TaskId taskId = TaskId.parse(id);
        return store.info(taskId).chain(info -> info == null ? Uni.createFrom().nullItem()
                : store.result(taskId).map(result -> info(info).put("result", result == null ? null : result.value())));
    }

    /** Queues a FAILED or CANCELLED task again, attempts reset. */
    public Uni<JsonObject> retry(String id) {
        return Uni.createFrom().deferred(() -> {
            TaskId taskId = TaskId.parse(id);
            return queue.retryTask(taskId).map(retried -> {
                if (!retried) {
                    return failure("Task " + id + " was not retried: only a FAILED or CANCELLED task can be");
                }
                LOG.infof("Task %s queued again from the Dev UI", id);
                return success("Task " + id + " is queued again");
            });
        }).onFailure().recoverWithItem(e -> failure("Task " + id + " was not retried: " + e.getMessage()));
    }

    /** Cancels a waiting task, or asks a running one to stop. */
    public Uni<JsonObject> cancel(String id) {
        return Uni.createFrom().deferred(() -> queue.task(TaskId.parse(id)).cancel().map(cancelled -> cancelled
                ? success("Task " + id + " is cancelled (a running task stops when its handler checks)")
                : failure("Task " + id + " was not cancelled: it is unknown or already finished")))
                .onFailure().recoverWithItem(e -> failure("Task " + id + " was not cancelled: " + e.getMessage()));
    }

    /**
     * Submits one task. {@code payload} is JSON: the value of a handler's one parameter, an array or an object by
     * name for several, empty for none. {@code retries}: empty for the configured number.
     */
    public Uni<JsonObject> submit(String type, String payload, String retries) {
        if (type == null || type.isBlank()) {
            return Uni.createFrom().item(failure("Not submitted: choose a task type"));
        }
        return Uni.createFrom().deferred(() -> queue.submit(type, parse(payload), options(retries)))
                .map(handle -> {
                    LOG.infof("Task %s of type %s submitted from the Dev UI", handle.id(), type);
                    return success("Task " + handle.id() + " submitted").put("id", handle.id().toString());
                })
                .onFailure().recoverWithItem(e -> failure("Not submitted: " + e.getMessage()));
    }

    private static TaskOptions options(String retries) {
        if (retries == null || retries.isBlank()) {
            return TaskOptions.defaults();
        }
        try {
            return TaskOptions.builder().retries(Integer.parseInt(retries.trim())).build();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("retries must be a whole number, not '" + retries + "'");
        }
    }

    private JsonNode parse(String payload) {
        if (payload == null || payload.isBlank()) {
            return null;
        }
        try {
            return mapper.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the payload is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static JsonObject info(TaskInfo t) {
        return new JsonObject().put("id", t.id().toString()).put("taskType", t.taskType()).put("state", t.state().name())
                .put("attempts", t.attempts()).put("groupId", t.groupId()).put("dedupKey", t.dedupKey())
                .put("createdAt", text(t.createdAt())).put("finishedAt", text(t.finishedAt()))
                .put("lastError", t.lastError()).put("lastErrorClass", t.lastErrorClass());
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static JsonObject success(String message) {
        return new JsonObject().put("success", true).put("message", message);
    }

    private static JsonObject failure(String message) {
        return new JsonObject().put("success", false).put("message", message);
    }
}
