package io.quarkiverse.taskqueue.deployment;

import static io.quarkiverse.taskqueue.deployment.BuildFailures.method;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** Every invalid handler is reported in ONE failure, so a build shows all problems at once. */
public class SeveralInvalidMethodsTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Jobs.class))
            .assertException(t -> {
                String message = BuildFailures.taskHandlerError(t);
                assertTrue(message.contains(method(Jobs.class, "hidden") + ": a @TaskHandler method must not be private"),
                        message);
                assertTrue(message.contains(method(Jobs.class, "shared") + ": a @TaskHandler method must not be static"),
                        message);
                assertTrue(message.contains(method(Jobs.class, "stream") + ": unsupported return type"), message);
                assertTrue(message.contains(method(Jobs.class, "lazy") + ": unsupported parameter 0 of type "
                        + "io.smallrye.mutiny.Uni<java.lang.String>"), message);
                assertTrue(message.contains(method(Jobs.class, "later") + ": unsupported parameter 0 of type "
                        + "java.util.concurrent.CompletionStage<java.lang.String>"), message);
                assertTrue(message.contains(method(Jobs.class, "privateAndStatic") + ": a @TaskHandler method must "
                        + "not be private"), message);
                assertTrue(message.contains(method(Jobs.class, "privateAndStatic") + ": a @TaskHandler method must "
                        + "not be static"), message);
                assertEquals(7, message.split("\n  - ").length - 1, message);
                assertTrue(!message.contains(method(Jobs.class, "valid")), message);
            });

    @Test
    void buildFails() {
        // Never runs: the build must fail, and assertException above checks how.
    }

    @ApplicationScoped
    public static class Jobs {
        @TaskHandler("hidden")
        private void hidden(String payload) {
        }

        @TaskHandler("shared")
        static void shared(String payload) {
        }

        @TaskHandler("stream")
        Multi<String> stream(String payload) {
            return Multi.createFrom().item(payload);
        }

        @TaskHandler("lazy")
        void lazy(Uni<String> payload) {
        }

        @TaskHandler("later")
        void later(CompletionStage<String> payload) {
        }

        @TaskHandler("private_and_static")
        private static void privateAndStatic(String payload) {
        }

        @TaskHandler("valid")
        void valid(String payload) {
        }
    }
}
