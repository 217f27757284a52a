package io.quarkiverse.taskqueue.deployment;

import static io.quarkiverse.taskqueue.deployment.BuildFailures.method;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkus.test.QuarkusUnitTest;

/** Two handlers for one task type fail the build, naming the type and both methods. */
public class DuplicateTaskTypeTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Mailer.class, Newsletter.class))
            .assertException(t -> {
                String message = BuildFailures.taskHandlerError(t);
                assertTrue(message.contains("task type 'send_email' has two handlers"), message);
                assertTrue(message.contains(method(Mailer.class, "send")), message);
                assertTrue(message.contains(method(Newsletter.class, "sendAgain")), message);
            });

    @Test
    void buildFails() {
        // Never runs: the build must fail, and assertException above checks how.
    }

    @ApplicationScoped
    public static class Mailer {
        @TaskHandler("send_email")
        void send(String to) {
        }
    }

    @ApplicationScoped
    public static class Newsletter {
        @TaskHandler("send_email")
        void sendAgain(String to) {
        }
    }
}
