package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link BatchValidationContract} on the PostgreSQL store. */
@QuarkusTest
class PostgresBatchValidationTest extends BatchValidationContract {
}
