package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link QueueClockContract} on the PostgreSQL store. */
@QuarkusTest
class PostgresQueueClockTest extends QueueClockContract {
}
