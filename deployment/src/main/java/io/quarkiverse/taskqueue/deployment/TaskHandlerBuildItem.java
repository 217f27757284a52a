package io.quarkiverse.taskqueue.deployment;

import java.util.List;

import io.quarkiverse.taskqueue.runtime.handler.ReturnKind;
import io.quarkus.arc.processor.InvokerInfo;
import io.quarkus.builder.item.MultiBuildItem;

/** A valid {@code @TaskHandler} method and its generated invoker. */
public final class TaskHandlerBuildItem extends MultiBuildItem {

    final String taskType;
    final String description;
    final InvokerInfo invoker;
    final List<String> payloadTypes;
    final List<String> parameterNames;
    final int contextIndex;
    final ReturnKind returnKind;
    final boolean blocking;

    TaskHandlerBuildItem(String taskType, String description, InvokerInfo invoker, List<String> payloadTypes,
            List<String> parameterNames, int contextIndex, ReturnKind returnKind, boolean blocking) {
        this.taskType = taskType;
        this.description = description;
        this.invoker = invoker;
        this.payloadTypes = payloadTypes;
        this.parameterNames = parameterNames;
        this.contextIndex = contextIndex;
        this.returnKind = returnKind;
        this.blocking = blocking;
    }

    public String taskType() {
        return taskType;
    }
}
