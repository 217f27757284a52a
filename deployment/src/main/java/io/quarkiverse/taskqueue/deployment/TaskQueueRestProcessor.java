package io.quarkiverse.taskqueue.deployment;

import java.util.function.BooleanSupplier;

import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;

import io.quarkiverse.taskqueue.runtime.config.TaskQueueRestConfig;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.AdditionalIndexedClassesBuildItem;
import io.quarkus.deployment.builditem.CombinedIndexBuildItem;
import io.quarkus.resteasy.reactive.spi.AdditionalResourceClassBuildItem;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Serves the REST API when {@code quarkus.taskqueue.rest.enabled=true}. The resource class has no class-level
 * {@code @Path}; it is handed to Quarkus REST with {@link AdditionalResourceClassBuildItem}, which takes the path
 * from {@code quarkus.taskqueue.rest.path} at build time. Without quarkus-rest nothing of this runs, and the
 * resource class is never indexed nor loaded.
 */
class TaskQueueRestProcessor {

    static final DotName RESOURCE = DotName.createSimple("io.quarkiverse.taskqueue.runtime.rest.TaskQueueResource");

    /** Build steps of this class run only when the REST API is switched on. */
    static final class RestEnabled implements BooleanSupplier {
        TaskQueueRestConfig config;

        @Override
        public boolean getAsBoolean() {
            return config.rest().enabled();
        }
    }

    @BuildStep(onlyIf = RestEnabled.class)
    void indexTheResource(Capabilities capabilities, BuildProducer<AdditionalIndexedClassesBuildItem> indexed,
            BuildProducer<AdditionalBeanBuildItem> beans) {
        requireRest(capabilities);
        indexed.produce(new AdditionalIndexedClassesBuildItem(RESOURCE.toString()));
        beans.produce(AdditionalBeanBuildItem.unremovableOf(RESOURCE.toString()));
    }

    @BuildStep(onlyIf = RestEnabled.class)
    void serveTheResourceUnderTheConfiguredPath(Capabilities capabilities, TaskQueueRestConfig config,
            CombinedIndexBuildItem index, BuildProducer<AdditionalResourceClassBuildItem> resources) {
        if (!capabilities.isPresent(Capability.REST) || !capabilities.isPresent(Capability.REST_JACKSON)) {
            return;
        }
        ClassInfo resource = index.getIndex().getClassByName(RESOURCE);
        resources.produce(new AdditionalResourceClassBuildItem(resource, normalize(config.rest().path())));
    }

    private static void requireRest(Capabilities capabilities) {
        if (!capabilities.isPresent(Capability.REST) || !capabilities.isPresent(Capability.REST_JACKSON)) {
            throw new ConfigurationException("quarkus.taskqueue.rest.enabled is true, but the application does not "
                    + "have Quarkus REST with Jackson: add the dependency io.quarkus:quarkus-rest-jackson, or "
                    + "set quarkus.taskqueue.rest.enabled=false");
        }
    }

    static String normalize(String path) {
        String p = path.trim();
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }
}
