package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link FailedTasksContract} on the PostgreSQL store. */
@QuarkusTest
class PostgresFailedTasksTest extends FailedTasksContract {
}
