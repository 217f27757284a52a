package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link BatchDedupContract} on the PostgreSQL store. */
@QuarkusTest
class PostgresBatchDedupTest extends BatchDedupContract {
}
