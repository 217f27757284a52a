package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link RunningTasksContract} on the PostgreSQL store. */
@QuarkusTest
class PostgresRunningTasksTest extends RunningTasksContract {
}
