package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link GroupCallbackContract} on the embedded SQLite store. */
@QuarkusTest
class SqliteGroupCallbackTest extends GroupCallbackContract {
}
