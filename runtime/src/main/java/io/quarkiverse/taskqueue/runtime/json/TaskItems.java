package io.quarkiverse.taskqueue.runtime.json;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskSubmission;

/**
 * Reads one task item, as the CLI and the REST API accept it: an object
 * {@code {"type": ..., "payload": ..., "dedupKey": ..., "priority": ..., "groupId": ..., "concurrencyKey": ...,
 * "retries": ..., "timeoutSeconds": ..., "delaySeconds": ...}} or a pair {@code ["send_email", {...}]}.
 */
public final class TaskItems {

    /** The fields an item object may have. */
    public static final List<String> FIELDS = List.of("type", "payload", "dedupKey", "priority", "groupId",
            "concurrencyKey", "retries", "timeoutSeconds", "delaySeconds");

    private final ObjectMapper mapper;

    public TaskItems(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * @throws IllegalArgumentException naming what is wrong with the item
     */
    public TaskSubmission read(JsonNode item) {
        if (item == null || item.isMissingNode()) {
            throw new IllegalArgumentException("the item is empty");
        }
        if (item.isArray()) {
            return readPair(item);
        }
        if (!item.isObject()) {
            throw new IllegalArgumentException("an item must be an object {\"type\": ..., \"payload\": ...} or a pair "
                    + "[\"type\", payload], not " + kind(item));
        }
        for (Iterator<String> names = item.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException("unknown field \"" + name + "\" (the fields are " + FIELDS + ")");
            }
        }
        JsonNode type = item.get("type");
        if (type == null || type.isNull()) {
            throw new IllegalArgumentException("missing \"type\"");
        }
        TaskSubmission task = TaskSubmission.of(text(type, "type"), payload(item.get("payload")));
        String dedupKey = optionalText(item, "dedupKey");
        if (dedupKey != null) {
            task = task.dedupKey(dedupKey);
        }
        String groupId = optionalText(item, "groupId");
        if (groupId != null) {
            task = task.groupId(groupId);
        }
        String concurrencyKey = optionalText(item, "concurrencyKey");
        if (concurrencyKey != null) {
            task = task.concurrencyKey(concurrencyKey);
        }
        Integer priority = optionalInt(item, "priority");
        if (priority != null) {
            task = task.priority(priority);
        }
        TaskOptions.Builder options = TaskOptions.builder();
        boolean hasOptions = false;
        Integer retries = optionalInt(item, "retries");
        if (retries != null) {
            if (retries < 0) {
                throw new IllegalArgumentException("\"retries\" must not be negative, not " + retries);
            }
            options.retries(retries);
            hasOptions = true;
        }
        Duration timeout = optionalSeconds(item, "timeoutSeconds");
        if (timeout != null) {
            if (timeout.isZero()) {
                throw new IllegalArgumentException("\"timeoutSeconds\" must be positive");
            }
            options.timeout(timeout);
            hasOptions = true;
        }
        Duration delay = optionalSeconds(item, "delaySeconds");
        if (delay != null) {
            options.delay(delay);
            hasOptions = true;
        }
        return hasOptions ? task.options(options.build()) : task;
    }

    private TaskSubmission readPair(JsonNode item) {
        if (item.size() < 1 || item.size() > 2) {
            throw new IllegalArgumentException("a pair item must be [\"type\", payload], not an array of "
                    + item.size() + " elements");
        }
        return TaskSubmission.of(text(item.get(0), "the pair's first element (the type)"), payload(item.get(1)));
    }

    private Object payload(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        // plain Java values (Map, List, numbers) fit handlers of several parameters by name or position
        return mapper.convertValue(node, Object.class);
    }

    private static String text(JsonNode node, String what) {
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException(quoteField(what) + " must be a string, not " + kind(node));
        }
        if (node.asText().isBlank()) {
            throw new IllegalArgumentException(quoteField(what) + " must not be blank");
        }
        return node.asText();
    }

    private static String optionalText(JsonNode item, String field) {
        JsonNode node = item.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string, not " + kind(node));
        }
        return node.asText();
    }

    private static Integer optionalInt(JsonNode item, String field) {
        JsonNode node = item.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an integer, not " + kind(node));
        }
        return node.intValue();
    }

    private static Duration optionalSeconds(JsonNode item, String field) {
        JsonNode node = item.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a number of seconds, not " + kind(node));
        }
        double seconds = node.doubleValue();
        if (seconds < 0 || Double.isNaN(seconds) || seconds > 10L * 365 * 24 * 3600) {
            throw new IllegalArgumentException("\"" + field + "\" must be between 0 and 10 years, not " + node);
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    private static String quoteField(String what) {
        return what.contains(" ") ? what : "\"" + what + "\"";
    }

    static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        String text = node.toString();
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return switch (node.getNodeType()) {
            case STRING -> "the string " + shown;
            case NUMBER -> "the number " + shown;
            case BOOLEAN -> "the boolean " + shown;
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> shown;
        };
    }
}
