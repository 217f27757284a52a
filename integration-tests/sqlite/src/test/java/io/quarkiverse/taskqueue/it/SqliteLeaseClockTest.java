package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The store-independent {@link LeaseClockContract} on the embedded SQLite store. */
@QuarkusTest
@TestProfile(SubmitOnlyProfile.class)
class SqliteLeaseClockTest extends LeaseClockContract {
}
