package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusTest;

/** The store-independent {@link ResumableSubmissionContract} on the embedded SQLite store. */
@QuarkusTest
class SqliteResumableSubmissionTest extends ResumableSubmissionContract {
}
