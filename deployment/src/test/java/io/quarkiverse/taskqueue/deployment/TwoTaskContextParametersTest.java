package io.quarkiverse.taskqueue.deployment;

import static io.quarkiverse.taskqueue.deployment.BuildFailures.method;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.taskqueue.TaskContext;
import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkus.test.QuarkusUnitTest;

/** A second TaskContext parameter is an unsupported parameter. */
public class TwoTaskContextParametersTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Jobs.class))
            .assertException(t -> {
                String message = BuildFailures.taskHandlerError(t);
                assertTrue(message.contains(method(Jobs.class, "twice") + ": unsupported parameter 2"), message);
                assertTrue(message.contains("only one TaskContext parameter is allowed"), message);
            });

    @Test
    void buildFails() {
        // Never runs: the build must fail, and assertException above checks how.
    }

    @ApplicationScoped
    public static class Jobs {
        @TaskHandler("twice")
        void twice(TaskContext first, String payload, TaskContext second) {
        }
    }
}
