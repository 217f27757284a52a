package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link RestApiContract} on the embedded SQLite store. */
@QuarkusTest
class SqliteRestApiTest extends RestApiContract {
}
