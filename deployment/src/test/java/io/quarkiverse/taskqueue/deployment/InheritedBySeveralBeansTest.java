package io.quarkiverse.taskqueue.deployment;

import static io.quarkiverse.taskqueue.deployment.BuildFailures.method;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkus.test.QuarkusUnitTest;

/** A handler inherited by two beans would give its task type two handlers: the build fails. */
public class InheritedBySeveralBeansTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Base.class, First.class, Second.class))
            .assertException(t -> {
                String message = BuildFailures.taskHandlerError(t);
                assertTrue(message.contains(method(Base.class, "handle") + ": the method is inherited by several beans"),
                        message);
                assertTrue(message.contains(First.class.getName()) && message.contains(Second.class.getName()),
                        message);
            });

    @Test
    void buildFails() {
        // Never runs: the build must fail, and assertException above checks how.
    }

    public abstract static class Base {
        @TaskHandler("inherited")
        void handle(String payload) {
        }
    }

    @ApplicationScoped
    public static class First extends Base {
    }

    @ApplicationScoped
    public static class Second extends Base {
    }
}
