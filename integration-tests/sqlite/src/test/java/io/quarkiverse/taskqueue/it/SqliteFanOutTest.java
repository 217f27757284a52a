package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link FanOutContract} on the embedded SQLite store. */
@QuarkusTest
class SqliteFanOutTest extends FanOutContract {
}
