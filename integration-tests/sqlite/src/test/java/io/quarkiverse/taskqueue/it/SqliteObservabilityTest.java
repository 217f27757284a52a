package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link ObservabilityContract} on the embedded SQLite store. */
@QuarkusTest
class SqliteObservabilityTest extends ObservabilityContract {
}
