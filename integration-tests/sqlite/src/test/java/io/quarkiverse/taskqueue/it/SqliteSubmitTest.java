package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link SubmitContract} on the embedded SQLite store. */
@QuarkusTest
class SqliteSubmitTest extends SubmitContract {
}
