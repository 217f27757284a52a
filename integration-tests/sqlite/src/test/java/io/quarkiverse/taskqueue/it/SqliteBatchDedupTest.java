package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link BatchDedupContract} on the embedded SQLite store. */
@QuarkusTest
class SqliteBatchDedupTest extends BatchDedupContract {
}
