package io.quarkiverse.taskqueue.runtime;

import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkiverse.taskqueue.runtime.config.TaskQueueConfig;
import io.quarkiverse.taskqueue.runtime.dispatch.Backoff;
import io.quarkiverse.taskqueue.runtime.handler.HandlerMethod;
import io.quarkiverse.taskqueue.runtime.handler.TaskHandlerRegistry;
import io.quarkiverse.taskqueue.runtime.store.NewTask;

/**
 * Validates a submission and resolves its settings into a {@link NewTask}. Precedence, strongest first: the
 * task's own fields, the task's own options, the options of the call, the batch's defaults, configuration.
 */
final class TaskPreparer {

    /** Longest accepted dedup key, in characters. */
    static final int MAX_DEDUP_KEY_LENGTH = 512;

    private final TaskHandlerRegistry registry;
    private final TaskQueueConfig config;
    private final ObjectMapper mapper;

    TaskPreparer(TaskHandlerRegistry registry, TaskQueueConfig config, ObjectMapper mapper) {
        this.registry = registry;
        this.config = config;
        this.mapper = mapper;
    }

    /**
     * @param base the call's options over the batch's defaults
     * @param forcedGroup a group every task joins whatever it says ({@code group()}), or null
     * @param foreignTypes for tools that submit for another application (CLI, REST): task types without a
     *        handler here that are accepted anyway, their payloads stored as given; null for none
     * @throws IllegalArgumentException naming what is wrong
     */
    NewTask prepare(int index, TaskSubmission task, TaskOptions base, String forcedGroup,
            Predicate<String> foreignTypes, long now) {
        if (task == null) {
            throw new IllegalArgumentException("the task is null");
        }
        String type = task.taskType();
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("the task type is " + (type == null ? "missing" : "blank"));
        }
        HandlerMethod handler = foreignTypes != null && registry.get(type) == null && foreignTypes.test(type) ? null
                : registry.require(type);
        String key = task.dedupKey();
        if (key != null) {
            if (key.isEmpty()) {
                throw new IllegalArgumentException("the dedup key is empty (use null for no dedup key)");
            }
            if (key.length() > MAX_DEDUP_KEY_LENGTH) {
                throw new IllegalArgumentException("the dedup key is " + key.length() + " characters long; at most "
                        + MAX_DEDUP_KEY_LENGTH + " are allowed");
            }
        }
        if (task.options() != null && task.options().submissionId() != null) {
            throw new IllegalArgumentException("a task's own options cannot have a submissionId (\""
                    + task.options().submissionId() + "\"): it belongs to a whole map(), group() or batch; a single "
                    + "task is made idempotent by its dedupKey");
        }
        TaskOptions o = task.options() == null ? base : base.with(task.options());
        String payload = handler != null ? handler.payloadJson(task.payload()) : json(task.payload());
        int priority = task.priority() != null ? task.priority() : o.priority() != null ? o.priority() : 0;
        String group = forcedGroup != null ? forcedGroup : task.groupId() != null ? task.groupId() : o.groupId();
        String ckey = task.concurrencyKey() != null ? task.concurrencyKey() : o.concurrencyKey();
        int retries = o.retries() != null ? o.retries() : config.retries();
        Long timeout = o.timeout() == null ? null : o.timeout().toMillis();
        long due = o.delay() == null || o.delay().isZero() ? 0 : now + o.delay().toMillis();
        return new NewTask(index, type, payload, key, group, ckey, priority, retries, Backoff.encode(o.retryPolicy()),
                timeout, due, o.name());
    }

    private String json(Object payload) {
        try {
            return mapper.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    /** The batch-level settings as options, below the options of the call. */
    static TaskOptions base(TaskOptions batchDefaults, String concurrencyKey, Integer priority, TaskOptions callOptions) {
        TaskOptions.Builder b = TaskOptions.builder();
        if (concurrencyKey != null) {
            b.concurrencyKey(concurrencyKey);
        }
        if (priority != null) {
            b.priority(priority);
        }
        TaskOptions batch = batchDefaults.with(b.build());
        return callOptions == null ? batch : batch.with(callOptions);
    }
}
