package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link FailedTasksContract} on the embedded SQLite store. */
@QuarkusTest
class SqliteFailedTasksTest extends FailedTasksContract {
}
