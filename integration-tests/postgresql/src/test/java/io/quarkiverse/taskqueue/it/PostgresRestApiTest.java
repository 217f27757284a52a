package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link RestApiContract} on the PostgreSQL store. */
@QuarkusTest
class PostgresRestApiTest extends RestApiContract {
}
