package io.quarkiverse.taskqueue.deployment;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.test.QuarkusUnitTest;

/** quarkus.taskqueue.store is fixed at build time and checked against the extensions the application has. */
public class PostgresqlStoreWithoutClientTest {

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .overrideConfigKey("quarkus.taskqueue.store", "postgresql")
            .assertException(t -> {
                Throwable cause = t;
                while (cause != null && !(cause instanceof ConfigurationException)) {
                    cause = cause.getCause();
                }
                assertTrue(cause != null, "expected a ConfigurationException, got " + t);
                assertTrue(cause.getMessage().contains("quarkus.taskqueue.store=postgresql"), cause.getMessage());
                assertTrue(cause.getMessage().contains("io.quarkus:quarkus-reactive-pg-client"), cause.getMessage());
            });

    @Test
    void buildFails() {
        // Never runs: the build must fail, and assertException above checks how.
    }
}
