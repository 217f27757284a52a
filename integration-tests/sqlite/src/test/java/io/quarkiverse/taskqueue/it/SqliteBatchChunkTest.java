package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link BatchChunkContract} on the embedded SQLite store. */
@QuarkusTest
class SqliteBatchChunkTest extends BatchChunkContract {
}
