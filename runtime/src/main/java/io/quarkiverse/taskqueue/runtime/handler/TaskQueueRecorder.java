package io.quarkiverse.taskqueue.runtime.handler;

import jakarta.enterprise.invoke.Invoker;

import io.quarkus.arc.Arc;
import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.annotations.Recorder;

/** Hands the build-time handler metadata and generated invokers to the registry. */
@Recorder
public class TaskQueueRecorder {

    @SuppressWarnings("unchecked")
    public void registerHandler(String taskType, String description, RuntimeValue<?> invoker, String[] payloadTypes,
            String[] parameterNames, int contextIndex, ReturnKind returnKind, boolean blocking) {
        TaskHandlerRegistry registry = Arc.container().instance(TaskHandlerRegistry.class).get();
        registry.register(taskType, description, (Invoker<Object, Object>) invoker.getValue(), payloadTypes,
                parameterNames, contextIndex, returnKind, blocking);
    }
}
