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

    /** {@code org.acme.Mailer#send()} */
    public String description() {
        return description;
    }

    /** The canonical names of the payload parameters' types, in order. */
    public List<String> payloadTypes() {
        return payloadTypes;
    }

    /** The payload parameters' names, or {@code null} when compiled without {@code -parameters}. */
    public List<String> parameterNames() {
        return parameterNames;
    }

    public ReturnKind returnKind() {
        return returnKind;
    }

    /** Whether it runs on a worker thread rather than on the event loop. */
    public boolean blocking() {
        return blocking;
    }
}
