package io.quarkiverse.taskqueue.it;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link RestApiTest} against the packaged application. */
@QuarkusIntegrationTest
class RestApiIT extends RestApiTest {
}
