package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link GroupCallbackContract} on the PostgreSQL store. */
@QuarkusTest
class PostgresGroupCallbackTest extends GroupCallbackContract {
}
