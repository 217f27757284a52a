package io.quarkiverse.taskqueue.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkus.test.QuarkusUnitTest;

/** A handler method declared on an abstract class runs on the one bean that extends it. */
public class InheritedHandlerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Doubler.class, ConfiguredDoubler.class))
            .overrideConfigKey("quarkus.taskqueue.sqlite.path", "target/deployment-test-" + UUID.randomUUID() + ".db");

    @Inject
    TaskQueue queue;

    @Test
    void theInheritedHandlerRunsOnTheSubclassBean() {
        int doubled = queue.submit("double", 21).await().atMost(TIMEOUT).value(Integer.class).await().atMost(TIMEOUT);

        assertEquals(42, doubled);
    }

    public abstract static class Doubler {
        protected abstract int factor();

        @TaskHandler("double")
        int apply(int n) {
            return n * factor();
        }
    }

    /** No scope annotation: it gets one because it inherits a handler. */
    public static class ConfiguredDoubler extends Doubler {
        @Override
        protected int factor() {
            return 2;
        }
    }
}
