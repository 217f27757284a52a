package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link ConcurrentSubmitContract} on the embedded SQLite store. */
@QuarkusTest
class SqliteConcurrentSubmitTest extends ConcurrentSubmitContract {
}
