package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link ResumableSubmissionContract} on the PostgreSQL store. */
@QuarkusTest
class PostgresResumableSubmissionTest extends ResumableSubmissionContract {
}
