package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link FanOutContract} on the PostgreSQL store. */
@QuarkusTest
class PostgresFanOutTest extends FanOutContract {
}
