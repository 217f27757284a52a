package io.quarkiverse.taskqueue.runtime.handler;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.enterprise.invoke.Invoker;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;

/** The {@code @TaskHandler} methods found at build time, by task type; filled by the recorder at startup. */
@Singleton
public class TaskHandlerRegistry {

    private final Map<String, HandlerMethod> handlers = new TreeMap<>();

    @Inject
    ObjectMapper mapper;

    void register(String taskType, String description, Invoker<Object, Object> invoker, String[] payloadTypes,
            String[] parameterNames, int contextIndex, ReturnKind returnKind, boolean blocking) {
        TypeFactory types = mapper.getTypeFactory()
                .withClassLoader(Thread.currentThread().getContextClassLoader());
        JavaType[] javaTypes = new JavaType[payloadTypes.length];
        for (int i = 0; i < payloadTypes.length; i++) {
            javaTypes[i] = parse(types, payloadTypes[i]);
        }
        List<String> names = parameterNames == null ? null : Arrays.asList(parameterNames);
        handlers.put(taskType, new HandlerMethod(taskType, description, invoker, javaTypes, names, contextIndex,
                returnKind, blocking, mapper));
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
