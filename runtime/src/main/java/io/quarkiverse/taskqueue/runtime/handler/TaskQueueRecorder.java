package io.quarkiverse.taskqueue.runtime.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import jakarta.enterprise.invoke.Invoker;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.SyntheticCreationalContext;
import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.annotations.Recorder;

/** Turns the build-time handler metadata and generated invokers into the immutable registry bean. */
@Recorder
public class TaskQueueRecorder {

    @SuppressWarnings("unchecked")
    public RuntimeValue<HandlerSpec> handler(String taskType, String description, RuntimeValue<?> invoker,
            String[] payloadTypes, String[] parameterNames, int contextIndex, ReturnKind returnKind, boolean blocking) {
        return new RuntimeValue<>(new HandlerSpec(taskType, description, (Invoker<Object, Object>) invoker.getValue(),
                payloadTypes, parameterNames, contextIndex, returnKind, blocking));
    }

    public Function<SyntheticCreationalContext<TaskHandlerRegistry>, TaskHandlerRegistry> registry(
            List<RuntimeValue<HandlerSpec>> handlers) {
        return context -> {
            List<HandlerSpec> specs = new ArrayList<>(handlers.size());
            handlers.forEach(h -> specs.add(h.getValue()));
            return new TaskHandlerRegistry(specs, context.getInjectedReference(ObjectMapper.class));
        };
    }
}
