package io.quarkiverse.taskqueue;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method as the handler of a task type. Found and validated at build time.
 * <p>
 * Parameters are payload parameters (any Jackson-mappable type) and optionally one {@link TaskContext}.
 * A method returning {@code Uni} or {@code CompletionStage} runs on the Vert.x event loop unless annotated
 * {@code @Blocking}; any other method runs on a TaskQueue worker thread unless annotated {@code @NonBlocking}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface TaskHandler {

    /** The task type this method handles; unique in the application. */
    String value();
}
