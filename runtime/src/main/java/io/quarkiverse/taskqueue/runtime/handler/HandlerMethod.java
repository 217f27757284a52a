package io.quarkiverse.taskqueue.runtime.handler;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkiverse.taskqueue.TaskContext;
import jakarta.enterprise.invoke.Invoker;

/**
 * One {@code @TaskHandler} method: turns payloads into stored JSON (checking they fit the parameters) and
 * stored JSON into arguments, then calls the generated invoker.
 * <p>
 * Stored form: for a handler with one payload parameter, that value; with several, a JSON array in parameter
 * order; with none, {@code null}. A JSON object by parameter name is read as well for a handler of several
 * parameters: tools that submit without knowing the handler (the CLI on a store file) store payloads as given.
 */
public final class HandlerMethod {

    private final String taskType;
    private final String description;
    private final Invoker<Object, Object> invoker;
    private final List<String> parameterNames;
    private final int contextIndex;
    private final int arity;
    private final ReturnKind returnKind;
    private final boolean blocking;
    private final JavaType[] payloadTypes;
    private final ObjectReader[] readers;
    private final ObjectMapper mapper;

    HandlerMethod(String taskType, String description, Invoker<Object, Object> invoker, JavaType[] payloadTypes,
            List<String> parameterNames, int contextIndex, ReturnKind returnKind, boolean blocking,
            ObjectMapper mapper) {
        this.taskType = taskType;
        this.description = description;
        this.invoker = invoker;
        this.payloadTypes = payloadTypes;
        this.parameterNames = parameterNames;
        this.contextIndex = contextIndex;
        this.arity = contextIndex < 0 ? payloadTypes.length : payloadTypes.length + 1;
        this.returnKind = returnKind;
        this.blocking = blocking;
        this.mapper = mapper;
        this.readers = new ObjectReader[payloadTypes.length];
        for (int i = 0; i < payloadTypes.length; i++) {
            readers[i] = mapper.readerFor(payloadTypes[i]);
        }
    }

    public String taskType() {
        return taskType;
    }

    /** {@code org.acme.Mailer#send()}, for messages. */
    public String description() {
        return description;
    }

    public ReturnKind returnKind() {
        return returnKind;
    }

    public boolean blocking() {
        return blocking;
    }

    public int payloadParameterCount() {
        return payloadTypes.length;
    }

    /**
     * The stored JSON of a payload, or an {@link IllegalArgumentException} saying why it does not fit. For a
     * handler of several parameters the payload is a {@code List}/array (positional) or a {@code Map} (by name).
     */
    public String payloadJson(Object payload) {
        try {
            if (payloadTypes.length == 0) {
                if (payload != null) {
                    throw new IllegalArgumentException("handler " + description + " takes no payload, but got "
                            + payload.getClass().getName());
                }
                return "null";
            }
            if (payloadTypes.length == 1) {
                return mapper.writeValueAsString(fit(payload, 0));
            }
            Object[] values = positional(payload);
            for (int i = 0; i < values.length; i++) {
                values[i] = fit(values[i], i);
            }
            return mapper.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    private Object fit(Object value, int index) {
        JavaType type = payloadTypes[index];
        if (value == null) {
            if (type.isPrimitive()) {
                throw new IllegalArgumentException(describeParameter(index) + " is a " + type.getRawClass().getName()
                        + " and cannot be null");
            }
            return null;
        }
        if (!type.hasGenericTypes() && type.getRawClass().isInstance(value)) {
            return value;
        }
        if (type.isPrimitive() && isBoxOf(type.getRawClass(), value)) {
            return value;
        }
        try {
            return mapper.convertValue(value, type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("payload does not fit " + describeParameter(index) + " of type "
                    + type.toCanonical() + ": " + firstLine(e.getMessage()));
        }
    }

    private Object[] positional(Object payload) {
        int n = payloadTypes.length;
        if (payload instanceof Map<?, ?> map) {
            return byName(map);
        }
        if (payload instanceof ObjectNode object) {
            return byName(fields(object));
        }
        List<Object> list = asList(payload);
        if (list == null) {
            throw new IllegalArgumentException("handler " + description + " takes " + n
                    + " parameters: the payload must be a List or array in parameter order, or a Map by parameter "
                    + "name, not " + (payload == null ? "null" : payload.getClass().getName()));
        }
        if (list.size() != n) {
            throw new IllegalArgumentException("handler " + description + " takes " + n + " parameters, but got "
                    + list.size() + " values");
        }
        return list.toArray();
    }

    /**
     * The values of a payload given by parameter name, in parameter order. A name that is no parameter is an
     * error, and so is a missing name of a primitive parameter; a missing name of any other type is null.
     */
    private Object[] byName(Map<?, ?> map) {
        if (parameterNames == null) {
            throw new IllegalArgumentException("handler " + description + " was compiled without parameter "
                    + "names (javac -parameters), so a payload by name cannot be matched to its parameters; "
                    + "pass a list in parameter order");
        }
        for (Object key : map.keySet()) {
            if (!parameterNames.contains(String.valueOf(key))) {
                throw new IllegalArgumentException("handler " + description + " has no parameter named '" + key
                        + "' (parameters: " + parameterNames + ")");
            }
        }
        Object[] values = new Object[payloadTypes.length];
        for (int i = 0; i < values.length; i++) {
            String name = parameterNames.get(i);
            if (!map.containsKey(name) && payloadTypes[i].isPrimitive()) {
                throw new IllegalArgumentException("the payload has no value for parameter '" + name + "' of "
                        + description + ", a " + payloadTypes[i].getRawClass().getName() + " (parameters: "
                        + parameterNames + ")");
            }
            values[i] = map.get(name);
        }
        return values;
    }

    private static List<Object> asList(Object payload) {
        if (payload instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        if (payload instanceof Object[] array) {
            return Arrays.asList(array);
        }
        if (payload instanceof ArrayNode node) {
            List<Object> values = new ArrayList<>(node.size());
            for (Iterator<JsonNode> it = node.elements(); it.hasNext();) {
                values.add(it.next());
            }
            return values;
        }
        if (payload != null && payload.getClass().isArray()) {
            int length = Array.getLength(payload);
            List<Object> values = new ArrayList<>(length);
            for (int i = 0; i < length; i++) {
                values.add(Array.get(payload, i));
            }
            return values;
        }
        return null;
    }

    /** Calls the handler with the stored payload; returns what the method returned (a Uni, a value, ...). */
    public Object invoke(String payloadJson, TaskContext context) throws Exception {
        Object[] args = new Object[arity];
        int n = payloadTypes.length;
        if (n == 1) {
            args[payloadArgIndex(0)] = readers[0].readValue(payloadJson);
        } else if (n > 1) {
            Object[] values = storedValues(mapper.readTree(payloadJson));
            for (int i = 0; i < n; i++) {
                args[payloadArgIndex(i)] = values[i] == null ? null : readers[i].readValue((JsonNode) values[i]);
            }
        }
        if (contextIndex >= 0) {
            args[contextIndex] = context;
        }
        return invoker.invoke(null, args);
    }

    /**
     * The arguments stored for a handler of several parameters, as JSON nodes (null for a name left out). This
     * application stores a JSON array in parameter order; a tool that does not know the handler (the CLI on a
     * store file) stores the payload as given, so a JSON object by parameter name is read too.
     */
    private Object[] storedValues(JsonNode stored) {
        if (stored != null && stored.isObject()) {
            return byName(fields(stored));
        }
        if (stored == null || !stored.isArray()) {
            throw new IllegalArgumentException("handler " + description + " takes " + payloadTypes.length
                    + " parameters: the stored payload must be a JSON array in parameter order or a JSON object "
                    + "by parameter name, not " + (stored == null ? "null" : stored.getNodeType().name().toLowerCase(
                            Locale.ROOT)));
        }
        return positional(stored);
    }

    private static Map<String, JsonNode> fields(JsonNode object) {
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        object.fields().forEachRemaining(field -> fields.put(field.getKey(), field.getValue()));
        return fields;
    }

    /** The JSON text of a handler's value. */
    public String resultJson(Object value) throws JsonProcessingException {
        return value == null ? null : mapper.writeValueAsString(value);
    }

    private int payloadArgIndex(int payloadIndex) {
        return contextIndex >= 0 && payloadIndex >= contextIndex ? payloadIndex + 1 : payloadIndex;
    }

    private String describeParameter(int index) {
        String name = parameterNames != null ? " '" + parameterNames.get(index) + "'" : "";
        return "parameter " + index + name + " of " + description;
    }

    private static boolean isBoxOf(Class<?> primitive, Object value) {
        return (primitive == int.class && value instanceof Integer) || (primitive == long.class && value instanceof Long)
                || (primitive == boolean.class && value instanceof Boolean)
                || (primitive == double.class && value instanceof Double)
                || (primitive == float.class && value instanceof Float) || (primitive == short.class && value instanceof Short)
                || (primitive == byte.class && value instanceof Byte)
                || (primitive == char.class && value instanceof Character);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
