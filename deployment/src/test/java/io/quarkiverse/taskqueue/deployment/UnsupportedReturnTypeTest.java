package io.quarkiverse.taskqueue.deployment;

import static io.quarkiverse.taskqueue.deployment.BuildFailures.method;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.mutiny.Multi;

/** A handler returning a stream (Multi) fails the build: a task has one result. */
public class UnsupportedReturnTypeTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Jobs.class))
            .assertException(t -> {
                String message = BuildFailures.taskHandlerError(t);
                assertTrue(message.contains(method(Jobs.class, "count") + ": unsupported return type "
                        + "io.smallrye.mutiny.Multi<java.lang.Integer>"), message);
                assertTrue(message.contains("return void, a value, Uni<T> or CompletionStage<T>"), message);
            });

    @Test
    void buildFails() {
        // Never runs: the build must fail, and assertException above checks how.
    }

    @ApplicationScoped
    public static class Jobs {
        @TaskHandler("count")
        Multi<Integer> count(int upTo) {
            return Multi.createFrom().range(0, upTo);
        }
    }
}
