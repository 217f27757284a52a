package io.quarkiverse.taskqueue.deployment;

import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.bootstrap.classloading.QuarkusClassLoader;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;

/**
 * Metrics and the readiness check, each only when the application has its extension: the classes that use
 * Micrometer or SmallRye Health are named here by string, so an application without them never loads them.
 */
class TaskQueueObservabilityProcessor {

    static final String METRICS = "io.quarkiverse.taskqueue.runtime.observability.MicrometerTaskMetrics";
    static final String READINESS = "io.quarkiverse.taskqueue.runtime.observability.TaskQueueReadinessCheck";

    @BuildStep
    void integrations(Capabilities capabilities, BuildProducer<AdditionalBeanBuildItem> beans) {
        // quarkus-micrometer provides the metrics capability; the class check keeps other metrics extensions out
        if (capabilities.isPresent(Capability.METRICS)
                && QuarkusClassLoader.isClassPresentAtRuntime("io.micrometer.core.instrument.MeterRegistry")) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(METRICS));
        }
        if (capabilities.isPresent(Capability.SMALLRYE_HEALTH)) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(READINESS));
        }
    }
}
