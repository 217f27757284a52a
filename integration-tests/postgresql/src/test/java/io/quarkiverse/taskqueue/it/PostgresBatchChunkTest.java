package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link BatchChunkContract} on the PostgreSQL store. */
@QuarkusTest
class PostgresBatchChunkTest extends BatchChunkContract {
}
