package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link SubmitContract} on the PostgreSQL store. */
@QuarkusTest
class PostgresSubmitTest extends SubmitContract {
}
