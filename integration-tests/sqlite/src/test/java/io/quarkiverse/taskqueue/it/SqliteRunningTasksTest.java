package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link RunningTasksContract} on the embedded SQLite store. */
@QuarkusTest
class SqliteRunningTasksTest extends RunningTasksContract {
}
