package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link ConcurrentSubmitContract} on the PostgreSQL store. */
@QuarkusTest
class PostgresConcurrentSubmitTest extends ConcurrentSubmitContract {
}
