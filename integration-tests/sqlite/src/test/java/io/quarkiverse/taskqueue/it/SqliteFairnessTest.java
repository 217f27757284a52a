package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The store-independent {@link FairnessContract} on the embedded SQLite store. */
@QuarkusTest
@TestProfile(OneWorkerProfile.class)
class SqliteFairnessTest extends FairnessContract {
}
