package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The store-independent {@link SubmitStreamContract} on the PostgreSQL store. */
@QuarkusTest
@TestProfile(SubmitOnlyProfile.class)
class PostgresSubmitStreamTest extends SubmitStreamContract {
}
