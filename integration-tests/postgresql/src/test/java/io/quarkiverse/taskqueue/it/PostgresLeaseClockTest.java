package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The store-independent {@link LeaseClockContract} on PostgreSQL. */
@QuarkusTest
@TestProfile(SubmitOnlyProfile.class)
class PostgresLeaseClockTest extends LeaseClockContract {
}
