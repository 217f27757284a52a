package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link ObservabilityContract} on PostgreSQL. */
@QuarkusTest
class PostgresObservabilityTest extends ObservabilityContract {
}
