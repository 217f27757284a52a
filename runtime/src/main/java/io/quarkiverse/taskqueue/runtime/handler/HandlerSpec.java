package io.quarkiverse.taskqueue.runtime.handler;

import jakarta.enterprise.invoke.Invoker;

/** One {@code @TaskHandler} method as the build found it, with its generated invoker. */
public record HandlerSpec(String taskType, String description, Invoker<Object, Object> invoker, String[] payloadTypes,
        String[] parameterNames, int contextIndex, ReturnKind returnKind, boolean blocking) {
}
