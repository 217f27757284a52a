package io.quarkiverse.taskqueue.deployment;

import static io.quarkiverse.taskqueue.deployment.BuildFailures.method;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkus.test.QuarkusUnitTest;

/** A handler without a task type (empty or blank) fails the build. */
public class EmptyTaskTypeTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Jobs.class))
            .assertException(t -> {
                String message = BuildFailures.taskHandlerError(t);
                assertTrue(message.contains(method(Jobs.class, "empty") + ": the task type is empty"), message);
                assertTrue(message.contains(method(Jobs.class, "blank") + ": the task type is empty"), message);
            });

    @Test
    void buildFails() {
        // Never runs: the build must fail, and assertException above checks how.
    }

    @ApplicationScoped
    public static class Jobs {
        @TaskHandler("")
        void empty(String payload) {
        }

        @TaskHandler("   ")
        void blank(String payload) {
        }
    }
}
