package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link BatchValidationContract} on the embedded SQLite store. */
@QuarkusTest
class SqliteBatchValidationTest extends BatchValidationContract {
}
