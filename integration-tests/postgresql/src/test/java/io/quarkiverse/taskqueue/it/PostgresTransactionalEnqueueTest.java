package io.quarkiverse.taskqueue.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkus.test.junit.QuarkusTest;

/**
 * PostgreSQL-specific: submissions inside the caller's Hibernate Reactive transaction ({@code @WithTransaction} on
 * a REST method, {@link PurchaseResource}) are committed with the entity, or rolled back with it.
 */
@QuarkusTest
class PostgresTransactionalEnqueueTest {

    @Inject
    TaskQueue queue;

    @Test
    void anEntityAndTenThousandTasksSubmittedInOneTransactionAreBothCommittedAndTheTasksRun() {
        String submitted = given().post("/purchases/committed?lines=10000").then().statusCode(200).extract()
                .asString();

        assertThat(submitted).isEqualTo("10000");
        assertThat(given().get("/purchases/committed").then().statusCode(200).extract().asString()).isEqualTo("1");
        GroupSummary summary = queue.existingGroup("committed").await().await().atMost(Duration.ofSeconds(60));
        assertThat(summary.succeeded()).isEqualTo(10_000);
        assertThat(given().get("/purchases/committed/lines-run").then().extract().asString())
                .isEqualTo("10000");
    }

    @Test
    void aFailureAfterTheSubmitRollsBackTheEntityAndEveryTaskAndNoHandlerRuns() throws Exception {
        given().post("/purchases/rolled-back?lines=10000&failAfterSubmit=true").then().statusCode(500);

        assertThat(given().get("/purchases/rolled-back").then().statusCode(200).extract().asString()).isEqualTo("0");
        assertThat(FreshDatabase.queryLong("SELECT count(*) FROM tq_task WHERE group_id = 'rolled-back'")).isZero();
        Thread.sleep(1_000); // a task written outside the transaction would have run by now
        assertThat(given().get("/purchases/rolled-back/lines-run").then().extract().asString()).isEqualTo("0");
    }
}
