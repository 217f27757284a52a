package io.quarkiverse.taskqueue.runtime.handler;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;

/**
 * The {@code @TaskHandler} methods found at build time, by task type. Immutable: a synthetic bean that
 * {@link TaskQueueRecorder} creates from what the build found.
 */
public final class TaskHandlerRegistry {

    private final Map<String, HandlerMethod> handlers;

    public TaskHandlerRegistry(List<HandlerSpec> specs, ObjectMapper mapper) {
        TypeFactory types = mapper.getTypeFactory().withClassLoader(Thread.currentThread().getContextClassLoader());
        Map<String, HandlerMethod> byType = new TreeMap<>();
        for (HandlerSpec h : specs) {
            JavaType[] javaTypes = new JavaType[h.payloadTypes().length];
            for (int i = 0; i < javaTypes.length; i++) {
                javaTypes[i] = parse(types, h.payloadTypes()[i]);
            }
            List<String> names = h.parameterNames() == null ? null : Arrays.asList(h.parameterNames());
            byType.put(h.taskType(), new HandlerMethod(h.taskType(), h.description(), h.invoker(), javaTypes, names,
                    h.contextIndex(), h.returnKind(), h.blocking(), mapper));
        }
        this.handlers = Collections.unmodifiableMap(byType);
    }

    private static JavaType parse(TypeFactory types, String canonical) {
        if (canonical.endsWith("[]")) {
            return types.constructArrayType(parse(types, canonical.substring(0, canonical.length() - 2)));
        }
        return types.constructFromCanonical(canonical);
    }

    /** The handler of a task type, or {@code null}. */
    public HandlerMethod get(String taskType) {
        return handlers.get(taskType);
    }

    /** The handler of a task type, or an {@link IllegalArgumentException} naming the unknown type. */
    public HandlerMethod require(String taskType) {
        HandlerMethod handler = handlers.get(taskType);
        if (handler == null) {
            throw new IllegalArgumentException("unknown task type '" + taskType + "': no @TaskHandler(\"" + taskType
                    + "\") method in this application (known types: " + handlers.keySet() + ")");
        }
        return handler;
    }

    public Set<String> taskTypes() {
        return handlers.keySet();
    }
}
