package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The store-independent {@link WorkerSlotsContract} on the PostgreSQL store. */
@QuarkusTest
@TestProfile(OneWorkerProfile.class)
class PostgresWorkerSlotsTest extends WorkerSlotsContract {
}
