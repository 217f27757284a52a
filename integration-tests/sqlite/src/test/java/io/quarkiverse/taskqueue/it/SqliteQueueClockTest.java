package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link QueueClockContract} on the embedded SQLite store. */
@QuarkusTest
class SqliteQueueClockTest extends QueueClockContract {
}
