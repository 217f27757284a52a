package io.quarkiverse.taskqueue.deployment.devui;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.quarkiverse.taskqueue.deployment.TaskHandlerBuildItem;
import io.quarkiverse.taskqueue.runtime.config.TaskQueueRestConfig;
import io.quarkiverse.taskqueue.runtime.devui.TaskQueueJsonRpcService;
import io.quarkus.deployment.IsLocalDevelopment;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.devui.spi.JsonRPCProvidersBuildItem;
import io.quarkus.devui.spi.page.CardPageBuildItem;
import io.quarkus.devui.spi.page.Page;

/**
 * The Dev UI card (dev mode only): the handlers found by the build, from build-time data, and a page of the queue's
 * live state and actions, from {@link TaskQueueJsonRpcService}.
 */
class TaskQueueDevUIProcessor {

    @BuildStep(onlyIf = IsLocalDevelopment.class)
    CardPageBuildItem createCard(List<TaskHandlerBuildItem> handlers, TaskQueueRestConfig config) {
        CardPageBuildItem card = new CardPageBuildItem();
        List<TaskHandlerBuildItem> sorted = new ArrayList<>(handlers);
        sorted.sort(Comparator.comparing(TaskHandlerBuildItem::taskType));
        List<Map<String, Object>> rows = new ArrayList<>(sorted.size());
        for (TaskHandlerBuildItem h : sorted) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("taskType", h.taskType());
            row.put("method", h.description());
            row.put("parameters", parameters(h));
            row.put("returns", h.returnKind().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            row.put("blocking", h.blocking());
            rows.add(row);
        }
        card.addBuildTimeData("handlers", rows);
        card.addBuildTimeData("store", config.store().name().toLowerCase(Locale.ROOT));
        card.addPage(Page.webComponentPageBuilder()
                .title("Handlers")
                .icon("font-awesome-solid:list-check")
                .componentLink("qwc-taskqueue-handlers.js")
                .staticLabel(String.valueOf(rows.size())));
        card.addPage(Page.webComponentPageBuilder()
                .title("Queue")
                .icon("font-awesome-solid:layer-group")
                .componentLink("qwc-taskqueue-queue.js"));
        return card;
    }

    @BuildStep(onlyIf = IsLocalDevelopment.class)
    JsonRPCProvidersBuildItem createJsonRpcService() {
        return new JsonRPCProvidersBuildItem(TaskQueueJsonRpcService.class);
    }

    /** {@code org.acme.Row row, int count}: the payload parameters as declared. */
    private static String parameters(TaskHandlerBuildItem h) {
        List<String> params = new ArrayList<>();
        for (int i = 0; i < h.payloadTypes().size(); i++) {
            String type = h.payloadTypes().get(i);
            params.add(h.parameterNames() == null ? type : type + " " + h.parameterNames().get(i));
        }
        return String.join(", ", params);
    }
}
