package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link SqliteRestApiTest} against the packaged application. */
@QuarkusIntegrationTest
class SqliteRestApiIT extends SqliteRestApiTest {
}
