package io.quarkiverse.taskqueue.deployment;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.ClassType;
import org.jboss.jandex.DotName;
import org.jboss.jandex.MethodInfo;
import org.jboss.jandex.Type;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.taskqueue.TaskContext;
import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkiverse.taskqueue.runtime.QueueClock;
import io.quarkiverse.taskqueue.runtime.TaskQueueBeans;
import io.quarkiverse.taskqueue.runtime.TaskQueueImpl;
import io.quarkiverse.taskqueue.runtime.config.TaskQueueRestConfig;
import io.quarkiverse.taskqueue.runtime.store.NoTransactionJoiner;
import io.quarkiverse.taskqueue.runtime.store.SqliteStoreProducer;
import io.quarkiverse.taskqueue.runtime.config.TaskQueueRestConfig.StoreKind;
import io.quarkiverse.taskqueue.runtime.handler.HandlerSpec;
import io.quarkiverse.taskqueue.runtime.handler.ReturnKind;
import io.quarkiverse.taskqueue.runtime.handler.TaskHandlerRegistry;
import io.quarkiverse.taskqueue.runtime.handler.TaskQueueRecorder;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.AutoAddScopeBuildItem;
import io.quarkus.arc.deployment.BeanDiscoveryFinishedBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.arc.deployment.InvokerFactoryBuildItem;
import io.quarkus.arc.deployment.UnremovableBeanBuildItem;
import io.quarkus.arc.deployment.ValidationPhaseBuildItem.ValidationErrorBuildItem;
import io.quarkus.arc.processor.BeanInfo;
import io.quarkus.arc.processor.BuiltinScope;
import io.quarkus.arc.processor.InvokerInfo;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.CombinedIndexBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.execannotations.ExecutionModelAnnotationsAllowedBuildItem;
import io.quarkus.deployment.recording.RecorderContext;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveHierarchyBuildItem;
import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.inject.spi.DeploymentException;

/** Finds and validates {@code @TaskHandler} methods, generates their invokers and registers them. */
class TaskQueueProcessor {

    static final String FEATURE = "taskqueue";
    static final DotName TASK_HANDLER = DotName.createSimple(TaskHandler.class);
    static final DotName TASK_CONTEXT = DotName.createSimple(TaskContext.class);
    static final DotName UNI = DotName.createSimple("io.smallrye.mutiny.Uni");
    static final DotName MULTI = DotName.createSimple("io.smallrye.mutiny.Multi");
    static final DotName COMPLETION_STAGE = DotName.createSimple("java.util.concurrent.CompletionStage");
    static final DotName COMPLETABLE_FUTURE = DotName.createSimple("java.util.concurrent.CompletableFuture");
    static final DotName PUBLISHER = DotName.createSimple("org.reactivestreams.Publisher");
    static final DotName FLOW_PUBLISHER = DotName.createSimple("java.util.concurrent.Flow$Publisher");
    static final DotName BLOCKING = DotName.createSimple("io.smallrye.common.annotation.Blocking");
    static final DotName NON_BLOCKING = DotName.createSimple("io.smallrye.common.annotation.NonBlocking");
    static final Set<DotName> UNSUPPORTED_TYPES = Set.of(UNI, MULTI, COMPLETION_STAGE, COMPLETABLE_FUTURE, PUBLISHER,
            FLOW_PUBLISHER);

    /** The store is chosen at build time, and checked against what the application has (the quartz way). */
    @BuildStep
    FeatureBuildItem feature(TaskQueueRestConfig config, Capabilities capabilities) {
        if (config.store() == StoreKind.POSTGRESQL) {
            if (!capabilities.isPresent(Capability.REACTIVE_PG_CLIENT)) {
                throw new ConfigurationException("quarkus.taskqueue.store=postgresql needs the reactive PostgreSQL "
                        + "client: add the io.quarkus:quarkus-reactive-pg-client extension, or remove the key to use "
                        + "the embedded SQLite store", Set.of("quarkus.taskqueue.store"));
            }
        }
        return new FeatureBuildItem(FEATURE);
    }

    /**
     * The store's producer is the one of the store chosen: the other's classes are never loaded. Submissions join
     * the caller's transaction with Hibernate Reactive on the PostgreSQL store, and never otherwise.
     */
    @BuildStep
    AdditionalBeanBuildItem beans(TaskQueueRestConfig config, Capabilities capabilities) {
        boolean postgresql = config.store() == StoreKind.POSTGRESQL;
        String storeProducer = postgresql ? "io.quarkiverse.taskqueue.runtime.store.pg.PostgresStoreProducer"
                : SqliteStoreProducer.class.getName();
        String joiner = postgresql && capabilities.isPresent(Capability.HIBERNATE_REACTIVE)
                ? "io.quarkiverse.taskqueue.runtime.store.pg.HibernateReactiveJoiner"
                : NoTransactionJoiner.class.getName();
        return AdditionalBeanBuildItem.builder()
                .addBeanClasses(TaskQueueImpl.class.getName(), QueueClock.class.getName(),
                        TaskQueueBeans.class.getName(), storeProducer, joiner)
                .setUnremovable().build();
    }

    @BuildStep
    AutoAddScopeBuildItem handlerBeansGetAScope(CombinedIndexBuildItem index) {
        Set<DotName> handlerClasses = handlerClasses(index);
        return AutoAddScopeBuildItem.builder().match((clazz, annotations, idx) -> handlerClasses.contains(clazz.name()))
                .defaultScope(BuiltinScope.SINGLETON).reason("Found @TaskHandler methods").build();
    }

    @BuildStep
    UnremovableBeanBuildItem handlerBeansAreUnremovable(CombinedIndexBuildItem index) {
        return UnremovableBeanBuildItem.beanClassNames(
                handlerClasses(index).stream().map(DotName::toString).collect(Collectors.toSet()));
    }

    /** Classes that declare @TaskHandler methods, and the classes that inherit them. */
    private static Set<DotName> handlerClasses(CombinedIndexBuildItem index) {
        Set<DotName> classes = new HashSet<>();
        for (AnnotationInstance a : index.getIndex().getAnnotations(TASK_HANDLER)) {
            if (a.target().kind() == AnnotationTarget.Kind.METHOD) {
                DotName declaring = a.target().asMethod().declaringClass().name();
                classes.add(declaring);
                index.getIndex().getAllKnownSubclasses(declaring).forEach(c -> classes.add(c.name()));
            }
        }
        return classes;
    }

    @BuildStep
    ExecutionModelAnnotationsAllowedBuildItem handlersMayUseBlockingAnnotations() {
        return new ExecutionModelAnnotationsAllowedBuildItem(method -> method.hasDeclaredAnnotation(TASK_HANDLER));
    }

    /** Validates every handler method (all problems reported at once) and creates invokers for the valid ones. */
    @BuildStep
    void collectTaskHandlers(CombinedIndexBuildItem index, BeanDiscoveryFinishedBuildItem beanDiscovery,
            InvokerFactoryBuildItem invokerFactory, BuildProducer<TaskHandlerBuildItem> handlers,
            BuildProducer<ValidationErrorBuildItem> errors, BuildProducer<ReflectiveHierarchyBuildItem> reflection) {
        List<String> problems = new ArrayList<>();
        Map<String, MethodInfo> byType = new LinkedHashMap<>();
        List<AnnotationInstance> annotations = new ArrayList<>(index.getIndex().getAnnotations(TASK_HANDLER));
        annotations.sort(Comparator.comparing(a -> describe(a.target().asMethod())));
        for (AnnotationInstance annotation : annotations) {
            if (annotation.target().kind() != AnnotationTarget.Kind.METHOD) {
                continue;
            }
            MethodInfo method = annotation.target().asMethod();
            String where = describe(method);
            String type = annotation.value() == null ? "" : annotation.value().asString();
            List<String> methodProblems = new ArrayList<>();
            if (type.isBlank()) {
                methodProblems.add(where + ": the task type is empty; give @TaskHandler a name, e.g. @TaskHandler(\"send_email\")");
            } else if (byType.containsKey(type)) {
                methodProblems.add("task type '" + type + "' has two handlers: " + describe(byType.get(type)) + " and "
                        + where + "; task types must be unique");
            }
            if (Modifier.isPrivate(method.flags())) {
                methodProblems.add(where + ": a @TaskHandler method must not be private");
            }
            if (Modifier.isStatic(method.flags())) {
                methodProblems.add(where + ": a @TaskHandler method must not be static");
            }
            int contextIndex = -1;
            List<String> payloadTypes = new ArrayList<>();
            List<Type> payloadJandexTypes = new ArrayList<>();
            for (int i = 0; i < method.parametersCount(); i++) {
                Type p = method.parameterType(i);
                if (p.name().equals(TASK_CONTEXT)) {
                    if (contextIndex >= 0) {
                        methodProblems.add(where + ": unsupported parameter " + i
                                + ": only one TaskContext parameter is allowed");
                    }
                    contextIndex = i;
                } else if (UNSUPPORTED_TYPES.contains(p.name())) {
                    methodProblems.add(where + ": unsupported parameter " + i + " of type " + p
                            + ": a payload parameter must be a JSON-mappable value");
                } else {
                    payloadTypes.add(canonical(p));
                    payloadJandexTypes.add(p);
                }
            }
            ReturnKind returnKind = returnKind(method.returnType());
            if (returnKind == null) {
                methodProblems.add(where + ": unsupported return type " + method.returnType()
                        + "; return void, a value, Uni<T> or CompletionStage<T>");
            }
            ClassInfo declaring = method.declaringClass();
            Set<DotName> owners = new HashSet<>();
            owners.add(declaring.name());
            index.getIndex().getAllKnownSubclasses(declaring.name()).forEach(c -> owners.add(c.name()));
            List<BeanInfo> beans = beanDiscovery.beanStream().classBeans()
                    .filter(b -> owners.contains(b.getBeanClass())).collect();
            BeanInfo bean = beans.size() == 1 ? beans.get(0) : null;
            if (beans.isEmpty() && methodProblems.isEmpty()) {
                methodProblems.add(where + ": the class is not a CDI bean; make it a concrete class with a bean scope "
                        + "such as @ApplicationScoped (or extend it with one)");
            } else if (beans.size() > 1 && methodProblems.isEmpty()) {
                methodProblems.add(where + ": the method is inherited by several beans ("
                        + beans.stream().map(b -> b.getBeanClass().toString()).sorted().collect(Collectors.joining(", "))
                        + "), so its task type would have several handlers; declare it in one of them");
            }
            if (!type.isBlank() && !byType.containsKey(type)) {
                byType.put(type, method);
            }
            if (!methodProblems.isEmpty()) {
                problems.addAll(methodProblems);
                continue;
            }
            boolean blocking = isBlocking(method, returnKind);
            InvokerInfo invoker = invokerFactory.createInvoker(bean, method).withInstanceLookup().build();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < method.parametersCount(); i++) {
                if (i != contextIndex) {
                    names.add(method.parameterName(i));
                }
            }
            handlers.produce(new TaskHandlerBuildItem(type, where, invoker, payloadTypes,
                    names.contains(null) ? null : names, contextIndex, returnKind, blocking));
            for (Type t : payloadJandexTypes) {
                registerForReflection(t, where, reflection);
            }
            Type value = valueType(method.returnType(), returnKind);
            if (value != null) {
                registerForReflection(value, where, reflection);
            }
        }
        if (!problems.isEmpty()) {
            errors.produce(new ValidationErrorBuildItem(new DeploymentException("Invalid @TaskHandler methods:\n  - "
                    + String.join("\n  - ", problems))));
        }
    }

    /** The handler registry: an immutable synthetic bean built from the handlers found (the scheduler's way). */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    SyntheticBeanBuildItem handlerRegistry(TaskQueueRecorder recorder, RecorderContext recorderContext,
            List<TaskHandlerBuildItem> handlers) {
        List<TaskHandlerBuildItem> sorted = new ArrayList<>(handlers);
        sorted.sort(Comparator.comparing(TaskHandlerBuildItem::taskType));
        List<RuntimeValue<HandlerSpec>> specs = new ArrayList<>(sorted.size());
        for (TaskHandlerBuildItem h : sorted) {
            RuntimeValue<?> invoker = recorderContext.newInstance(invokerClassName(h.invoker));
            specs.add(recorder.handler(h.taskType, h.description, invoker, h.payloadTypes.toArray(new String[0]),
                    h.parameterNames == null ? null : h.parameterNames.toArray(new String[0]), h.contextIndex,
                    h.returnKind, h.blocking));
        }
        return SyntheticBeanBuildItem.configure(TaskHandlerRegistry.class).scope(Singleton.class).unremovable()
                .setRuntimeInit().addInjectionPoint(ClassType.create(DotName.createSimple(ObjectMapper.class)))
                .createWith(recorder.registry(specs)).done();
    }

    private static void registerForReflection(Type type, String source,
            BuildProducer<ReflectiveHierarchyBuildItem> reflection) {
        if (type.kind() == Type.Kind.PRIMITIVE || type.kind() == Type.Kind.VOID
                || type.name().toString().startsWith("java.")) {
            if (type.kind() != Type.Kind.PARAMETERIZED_TYPE) {
                return;
            }
        }
        reflection.produce(ReflectiveHierarchyBuildItem.builder(type).source(source).build());
    }

    private static String invokerClassName(InvokerInfo invoker) {
        String descriptor = invoker.getClassDesc().descriptorString();
        return descriptor.substring(1, descriptor.length() - 1).replace('/', '.');
    }

    private static ReturnKind returnKind(Type type) {
        if (type.kind() == Type.Kind.VOID) {
            return ReturnKind.VOID;
        }
        DotName name = type.name();
        if (name.equals(UNI)) {
            return ReturnKind.UNI;
        }
        if (name.equals(COMPLETION_STAGE) || name.equals(COMPLETABLE_FUTURE)) {
            return ReturnKind.COMPLETION_STAGE;
        }
        if (name.equals(MULTI) || name.equals(PUBLISHER) || name.equals(FLOW_PUBLISHER)) {
            return null;
        }
        return ReturnKind.VALUE;
    }

    private static Type valueType(Type returnType, ReturnKind kind) {
        return switch (kind) {
            case VOID -> null;
            case VALUE -> returnType;
            case UNI, COMPLETION_STAGE -> returnType.kind() == Type.Kind.PARAMETERIZED_TYPE
                    ? returnType.asParameterizedType().arguments().get(0)
                    : null;
        };
    }

    private static boolean isBlocking(MethodInfo method, ReturnKind kind) {
        if (method.hasDeclaredAnnotation(BLOCKING)) {
            return true;
        }
        if (method.hasDeclaredAnnotation(NON_BLOCKING)) {
            return false;
        }
        ClassInfo c = method.declaringClass();
        if (c.hasDeclaredAnnotation(BLOCKING)) {
            return true;
        }
        if (c.hasDeclaredAnnotation(NON_BLOCKING)) {
            return false;
        }
        return kind != ReturnKind.UNI && kind != ReturnKind.COMPLETION_STAGE;
    }

    /** The type in the form Jackson's {@code TypeFactory.constructFromCanonical} reads (arrays as {@code X[]}). */
    static String canonical(Type type) {
        return switch (type.kind()) {
            case PRIMITIVE, CLASS, VOID -> type.name().toString();
            case ARRAY -> canonical(type.asArrayType().constituent()) + "[]".repeat(type.asArrayType().dimensions());
            case PARAMETERIZED_TYPE -> type.name().toString() + type.asParameterizedType().arguments().stream()
                    .map(TaskQueueProcessor::canonical).collect(Collectors.joining(",", "<", ">"));
            case WILDCARD_TYPE -> canonical(type.asWildcardType().extendsBound());
            case TYPE_VARIABLE -> type.asTypeVariable().bounds().isEmpty() ? "java.lang.Object"
                    : canonical(type.asTypeVariable().bounds().get(0));
            default -> "java.lang.Object";
        };
    }

    static String describe(MethodInfo method) {
        return method.declaringClass().name() + "#" + method.name() + "()";
    }
}
