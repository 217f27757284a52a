package io.quarkiverse.taskqueue.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** The REST API, as a client sees it (also run against the packaged application by {@link RestApiIT}). */
public abstract class RestApiContract {

    static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void aPostedTaskGets201AndItsIdAndRuns() {
        String id = given().contentType(ContentType.JSON).body("{\"type\": \"add\", \"payload\": [2, 3]}")
                .post("/taskqueue/tasks")
                .then().statusCode(201).body("taskType", equalTo("add")).body("id", notNullValue())
                .header("Location", containsString("/taskqueue/tasks/"))
                .extract().path("id");

        JsonNode task = awaitFinal(id);
        assertThat(task.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(task.get("value").asInt()).isEqualTo(5);
        assertThat(task.get("attempts").asInt()).isEqualTo(1);
        assertThat(task.get("finishedAt").asText()).isNotBlank();
    }

    @Test
    void aTaskMayBePostedAsAPair() {
        String id = given().contentType(ContentType.JSON)
                .body("[\"send_email\", {\"to\": \"ada@example.com\", \"subject\": \"pair\"}]")
                .post("/taskqueue/tasks")
                .then().statusCode(201).body("taskType", equalTo("send_email")).extract().path("id");

        assertThat(awaitFinal(id).get("state").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aMalformedTaskGets400NamingTheProblem() {
        given().contentType(ContentType.JSON).body("{\"type\": \"add\", \"payload\": [2, 3]")
                .post("/taskqueue/tasks")
                .then().statusCode(400).body("error", containsString("malformed JSON")).body("line", equalTo(1));
        given().contentType(ContentType.JSON).body("{\"payload\": 1}")
                .post("/taskqueue/tasks")
                .then().statusCode(400).body("error", equalTo("missing \"type\""));
        given().contentType(ContentType.JSON).body("{\"type\": \"no_such_type\", \"payload\": 1}")
                .post("/taskqueue/tasks")
                .then().statusCode(400).body("error", containsString("unknown task type 'no_such_type'"));
        given().contentType(ContentType.JSON).body("{\"type\": \"noop\", \"payload\": 1, \"priority\": \"high\"}")
                .post("/taskqueue/tasks")
                .then().statusCode(400).body("error", equalTo("\"priority\" must be an integer, not the string \"high\""));
        given().contentType(ContentType.JSON).body("{\"type\": \"noop\", \"payload\": 1, \"prio\": 3}")
                .post("/taskqueue/tasks")
                .then().statusCode(400).body("error", containsString("unknown field \"prio\""));
        given().contentType(ContentType.JSON).body("{\"type\": \"add\", \"payload\": \"two\"}")
                .post("/taskqueue/tasks")
                .then().statusCode(400).body("error", containsString("takes 2 parameters"));
        given().contentType(ContentType.JSON).body("")
                .post("/taskqueue/tasks")
                .then().statusCode(400).body("error", containsString("the body is empty"));
    }

    @Test
    void anUnknownOrInvalidTaskIdGets404Or400() {
        given().get("/taskqueue/tasks/987654321987").then().statusCode(404)
                .body("error", equalTo("no task with id 987654321987"));
        given().delete("/taskqueue/tasks/987654321987").then().statusCode(404);
        given().get("/taskqueue/tasks/not-a-number").then().statusCode(400)
                .body("error", containsString("Not a task id: 'not-a-number'"));
    }

    @Test
    void aWaitingTaskCanBeCancelled() {
        String id = given().contentType(ContentType.JSON)
                .body("{\"type\": \"noop\", \"payload\": 1, \"delaySeconds\": 600}")
                .post("/taskqueue/tasks").then().statusCode(201).extract().path("id");
        given().get("/taskqueue/tasks/" + id).then().statusCode(200).body("state", equalTo("SCHEDULED"));

        given().delete("/taskqueue/tasks/" + id).then().statusCode(200)
                .body("cancelled", equalTo(true)).body("state", equalTo("CANCELLED"));
        given().delete("/taskqueue/tasks/" + id).then().statusCode(200).body("cancelled", equalTo(false));
    }

    @Test
    void aJsonArrayIsOneBatch() {
        String group = "rest-array-" + System.nanoTime();
        Response response = given().contentType(ContentType.JSON).queryParam("groupId", group)
                .body("[{\"type\": \"add\", \"payload\": [1, 2]},"
                        + " [\"add\", {\"a\": 3, \"b\": 4}],"
                        + " {\"type\": \"noop\", \"payload\": 7, \"dedupKey\": \"k-" + group + "\"},"
                        + " {\"type\": \"noop\", \"payload\": 8, \"dedupKey\": \"k-" + group + "\"}]")
                .post("/taskqueue/batches");

        response.then().statusCode(201).body("batchId", notNullValue()).body("submitted", hasSize(3))
                .body("deduplicated", equalTo(List.of("k-" + group))).body("failed", hasSize(0));
        List<String> ids = response.path("submitted");
        assertThat(awaitFinal(ids.get(1)).get("value").asInt()).isEqualTo(7);
        assertThat(awaitFinal(ids.get(0)).get("groupId").asText()).isEqualTo(group);
        awaitGroupDone(group);
        given().get("/taskqueue/groups/" + group).then().statusCode(200)
                .body("total", equalTo(3)).body("succeeded", equalTo(3)).body("done", equalTo(true));
    }

    @Test
    void badItemsOfABatchGet400NamingTheirIndexAndTheRestIsSubmitted() {
        Response response = given().contentType(ContentType.JSON)
                .body("[\n{\"type\": \"add\", \"payload\": [1, 1]},\n{\"payload\": 1},\n"
                        + "{\"type\": \"nope\", \"payload\": 1},\n[\"add\", [5, 5]],\n{\"type\": 3}\n]")
                .post("/taskqueue/batches");

        response.then().statusCode(400).body("submitted", hasSize(2)).body("failed", hasSize(3))
                .body("failed[0].index", equalTo(1)).body("failed[0].line", equalTo(3))
                .body("failed[0].message", equalTo("missing \"type\""))
                .body("failed[1].index", equalTo(2)).body("failed[1].line", equalTo(4))
                .body("failed[1].taskType", equalTo("nope"))
                .body("failed[1].message", containsString("unknown task type 'nope'"))
                .body("failed[2].index", equalTo(4)).body("failed[2].line", equalTo(6))
                .body("failed[2].message", equalTo("\"type\" must be a string, not the number 3"));
        List<String> ids = response.path("submitted");
        assertThat(awaitFinal(ids.get(0)).get("value").asInt()).isEqualTo(2);
        assertThat(awaitFinal(ids.get(1)).get("value").asInt()).isEqualTo(10);
    }

    @Test
    void aJsonArrayIsWrittenChunkByChunkAndItsReplyListsEveryId() throws Exception {
        String group = "rest-big-array-" + System.nanoTime();
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 40_000; i++) {
            body.append(i == 0 ? "" : ",").append("[\"noop\",").append(i).append(']');
        }
        body.append(']');

        Response response = given().contentType(ContentType.JSON).queryParam("groupId", group)
                .queryParam("chunkSize", 10_000).body(body.toString()).post("/taskqueue/batches");

        response.then().statusCode(201).body("failed", hasSize(0)).body("failedCount", equalTo(0));
        JsonNode outcome = MAPPER.readTree(response.asString());
        assertThat(outcome.get("submitted")).hasSize(40_000);
        assertThat(outcome.get("batchId").asText()).isNotBlank();
        given().get("/taskqueue/groups/" + group).then().statusCode(200).body("total", equalTo(40_000));
        given().delete("/taskqueue/groups/" + group).then().statusCode(200);
    }

    @Test
    void aBatchListsItsFirstThousandFailuresAndCountsThemAll() {
        StringBuilder body = new StringBuilder("[\n");
        for (int i = 0; i < 1500; i++) {
            body.append("{\"payload\": ").append(i).append("},\n");
        }
        body.append("[\"noop\", 1]\n]");

        given().contentType(ContentType.JSON).body(body.toString()).post("/taskqueue/batches")
                .then().statusCode(400).body("submitted", hasSize(1)).body("failed", hasSize(1000))
                .body("failedCount", equalTo(1500))
                .body("failed[0].index", equalTo(0)).body("failed[0].line", equalTo(2))
                .body("failed[999].index", equalTo(999)).body("failed[999].message", equalTo("missing \"type\""));
    }

    @Test
    void aBodyThatBreaksOffAfterTheFirstChunkKeepsTheItemsBeforeTheBreak() {
        Response response = given().contentType(ContentType.JSON).queryParam("chunkSize", 2)
                .body("[[\"noop\", 1],\n[\"noop\", 2],\n[\"noop\", 3],\n{\"type\": \"noop\", \"payload\": }]")
                .post("/taskqueue/batches");

        response.then().statusCode(400).body("error", containsString("malformed JSON")).body("index", equalTo(3))
                .body("line", equalTo(4)).body("submitted", hasSize(3))
                .body("note", equalTo("the items before index 3 were handled as this outcome lists; "
                        + "none from index 3 on was submitted"));
    }

    @Test
    void aBatchThatIsNotAJsonArrayGets400AndNothingIsSubmitted() {
        given().contentType(ContentType.JSON).body("{\"type\": \"noop\", \"payload\": 1}")
                .post("/taskqueue/batches")
                .then().statusCode(400).body("error", containsString("the body must be a JSON array"));
        given().contentType(ContentType.JSON)
                .body("[{\"type\": \"noop\", \"payload\": 1},\n{\"type\": \"noop\", \"payload\": }]")
                .post("/taskqueue/batches")
                .then().statusCode(400).body("error", containsString("malformed JSON")).body("index", equalTo(1))
                .body("line", equalTo(2)).body("note", equalTo("nothing of this batch was submitted"));
        given().contentType(ContentType.JSON).queryParam("onDuplicate", "maybe").body("[]")
                .post("/taskqueue/batches")
                .then().statusCode(400)
                .body("error", equalTo("query parameter onDuplicate must be skip, supersede or fail, not 'maybe'"));
        given().contentType(ContentType.JSON).queryParam("chunkSize", "0").body("[]")
                .post("/taskqueue/batches")
                .then().statusCode(400).body("error", equalTo("query parameter chunkSize must be at least 1, not 0"));
    }

    @Test
    void anNdjsonBatchWithABadQueryParameterGets400BeforeItsBodyIsRead() {
        given().contentType("application/x-ndjson").accept("application/x-ndjson").queryParam("onDuplicate", "maybe")
                .body("{\"type\": \"noop\", \"payload\": 1}\n".getBytes(StandardCharsets.UTF_8))
                .post("/taskqueue/batches")
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("query parameter onDuplicate must be skip, supersede or fail, not 'maybe'"));
        given().contentType("application/x-ndjson").accept("application/x-ndjson").queryParam("chunkSize", "0")
                .body("{\"type\": \"noop\", \"payload\": 1}\n".getBytes(StandardCharsets.UTF_8))
                .post("/taskqueue/batches")
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("query parameter chunkSize must be at least 1, not 0"));
        given().contentType("application/x-ndjson").queryParam("retries", "many").body(new byte[0])
                .post("/taskqueue/batches")
                .then().statusCode(400).body("error", equalTo("query parameter retries must be an integer, not 'many'"));
    }

    @Test
    void anOversizeBodyGets413NamingTheLimit() {
        StringBuilder big = new StringBuilder("[");
        while (big.length() < 1_100_000) {
            big.append("{\"type\": \"noop\", \"payload\": 1},");
        }
        big.append("{\"type\": \"noop\", \"payload\": 1}]");

        given().contentType(ContentType.JSON).body(big.toString()).post("/taskqueue/batches")
                .then().statusCode(413).body("limit", equalTo(1048576))
                .body("error", containsString("larger than 1048576 bytes"))
                .body("error", containsString("quarkus.taskqueue.rest.max-body-size"));
    }

    @Test
    void aHundredThousandLinesOfNdjsonAreStreamedChunkByChunk() throws Exception {
        String group = "rest-ndjson-" + System.nanoTime();
        StringBuilder body = new StringBuilder(6_000_000);
        for (int line = 1; line <= 100_000; line++) {
            if (line == 50_000) {
                body.append("{\"type\": \"noop\", \"payload\": \n");
            } else if (line == 70_001) {
                body.append("{\"type\": \"missing_type\", \"payload\": 1}\n");
            } else {
                body.append("{\"type\":\"noop\",\"payload\":").append(line).append(",\"delaySeconds\":600}\n");
            }
        }

        String response = given().contentType("application/x-ndjson").accept("application/x-ndjson")
                .queryParam("groupId", group).queryParam("chunkSize", 10_000)
                .body(body.toString().getBytes(StandardCharsets.UTF_8)).post("/taskqueue/batches")
                .then().statusCode(200).contentType(containsString("application/x-ndjson"))
                .extract().asString();

        List<JsonNode> outcomes = new ArrayList<>();
        for (String line : response.split("\n")) {
            if (!line.isBlank()) {
                outcomes.add(MAPPER.readTree(line));
            }
        }
        assertThat(outcomes).hasSize(10);
        int submitted = 0;
        List<JsonNode> failed = new ArrayList<>();
        for (JsonNode outcome : outcomes) {
            assertThat(outcome.has("batchId")).as("an outcome: %s", outcome).isTrue();
            assertThat(outcome.get("batchId").asText()).isEqualTo(outcomes.get(0).get("batchId").asText());
            submitted += outcome.get("submitted").size();
            outcome.get("failed").forEach(failed::add);
        }
        assertThat(submitted).isEqualTo(99_998);
        assertThat(failed).hasSize(2);
        assertThat(failed.get(0).get("line").asInt()).isEqualTo(50_000);
        assertThat(failed.get(0).get("message").asText()).startsWith("malformed JSON");
        assertThat(failed.get(1).get("line").asInt()).isEqualTo(70_001);
        assertThat(failed.get(1).get("message").asText()).contains("unknown task type 'missing_type'");

        given().get("/taskqueue/groups/" + group).then().statusCode(200)
                .body("total", equalTo(99_998)).body("queued", equalTo(99_998));
        given().delete("/taskqueue/groups/" + group).then().statusCode(200).body("cancelled", equalTo(99_998));
        given().get("/taskqueue/groups/" + group).then().statusCode(200)
                .body("cancelled", equalTo(99_998)).body("done", equalTo(true));
    }

    @Test
    void aBatchSentAgainWithItsIdempotencyKeyIsWrittenOnceAndAnsweredTheSame() throws Exception {
        String group = "rest-key-" + System.nanoTime();
        String body = "[{\"type\": \"noop\", \"payload\": 1, \"delaySeconds\": 600},"
                + " {\"type\": \"noop\", \"payload\": 2, \"delaySeconds\": 600, \"dedupKey\": \"d-" + group + "\"},"
                + " {\"type\": \"noop\", \"payload\": 3, \"delaySeconds\": 600, \"dedupKey\": \"d-" + group + "\"}]";

        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", group).queryParam("groupId", group)
                .body(body).post("/taskqueue/batches").then().statusCode(201).extract().asString();
        String again = given().contentType(ContentType.JSON).header("Idempotency-Key", group).queryParam("groupId", group)
                .body(body).post("/taskqueue/batches").then().statusCode(201).extract().asString();

        assertThat(MAPPER.readTree(again)).isEqualTo(MAPPER.readTree(first));
        assertThat(MAPPER.readTree(first).get("submitted")).hasSize(2);
        given().get("/taskqueue/groups/" + group).then().statusCode(200).body("total", equalTo(2));

        // the same key for other tasks: 422 naming the key, and nothing of them is written
        given().contentType(ContentType.JSON).header("Idempotency-Key", group).queryParam("groupId", group)
                .body("[{\"type\": \"noop\", \"payload\": 9}]").post("/taskqueue/batches")
                .then().statusCode(422).body("error", containsString("Submission id \"" + group + "\""));
        given().get("/taskqueue/groups/" + group).then().statusCode(200).body("total", equalTo(2));

        // NDJSON: the outcomes streamed again are those of the first call
        String lines = "{\"type\": \"noop\", \"payload\": 4, \"delaySeconds\": 600}\n"
                + "{\"type\": \"noop\", \"payload\": 5, \"delaySeconds\": 600}\n";
        String streamed = given().contentType("application/x-ndjson").accept("application/x-ndjson")
                .header("Idempotency-Key", group + "-lines").queryParam("groupId", group).body(lines.getBytes(StandardCharsets.UTF_8))
                .post("/taskqueue/batches").then().statusCode(200).extract().asString();
        String streamedAgain = given().contentType("application/x-ndjson").accept("application/x-ndjson")
                .header("Idempotency-Key", group + "-lines").queryParam("groupId", group).body(lines.getBytes(StandardCharsets.UTF_8))
                .post("/taskqueue/batches").then().statusCode(200).extract().asString();
        assertThat(MAPPER.readTree(streamedAgain.strip())).isEqualTo(MAPPER.readTree(streamed.strip()));
        given().get("/taskqueue/groups/" + group).then().statusCode(200).body("total", equalTo(4));

        given().contentType(ContentType.JSON).header("Idempotency-Key", "x".repeat(201)).body(body)
                .post("/taskqueue/batches").then().statusCode(400)
                .body("error", containsString("header Idempotency-Key: submissionId must be 1 to 200 characters"));
        given().delete("/taskqueue/groups/" + group).then().statusCode(200);
    }

    @Test
    void aCallbackPostedToAGroupRunsOnceTheGroupIsDone() {
        String group = "rest-callback-" + System.nanoTime();
        given().contentType(ContentType.JSON).queryParam("groupId", group)
                .body("[[\"noop\", 1], [\"noop\", 2]]").post("/taskqueue/batches").then().statusCode(201);

        String id = given().contentType(ContentType.JSON).body("{\"type\": \"group_done\", \"payload\": \"" + group + "\"}")
                .post("/taskqueue/groups/" + group + "/callbacks")
                .then().statusCode(201).body("taskType", equalTo("group_done"))
                .header("Location", containsString("/taskqueue/tasks/")).extract().path("id");

        JsonNode callback = awaitFinal(id);
        assertThat(callback.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(callback.path("groupId").asText(null)).as("not a member of the group").isNull();
        given().get("/taskqueue/groups/" + group).then().statusCode(200).body("total", equalTo(2))
                .body("succeeded", equalTo(2));

        given().contentType(ContentType.JSON).body("{\"type\": \"group_done\", \"payload\": \"x\"}")
                .post("/taskqueue/groups/no-such-group/callbacks").then().statusCode(404)
                .body("error", equalTo("no group with id no-such-group"));
        given().contentType(ContentType.JSON)
                .body("{\"type\": \"group_done\", \"payload\": \"x\", \"groupId\": \"other\"}")
                .post("/taskqueue/groups/" + group + "/callbacks").then().statusCode(400)
                .body("error", containsString("remove its groupId"));
        given().contentType(ContentType.JSON).body("{\"type\": \"group_done\", \"payload\": \"x\", \"delaySeconds\": 5}")
                .post("/taskqueue/groups/" + group + "/callbacks").then().statusCode(400)
                .body("error", containsString("remove its delay"));
        given().contentType(ContentType.JSON).body("[\"group_done\", \"a\"]\n[\"group_done\", \"b\"]")
                .post("/taskqueue/groups/" + group + "/callbacks").then().statusCode(400)
                .body("error", containsString("a callback is one task"));
    }

    @Test
    void anUnknownGroupGets404() {
        given().get("/taskqueue/groups/no-such-group").then().statusCode(404)
                .body("error", equalTo("no group with id no-such-group"));
        given().delete("/taskqueue/groups/no-such-group").then().statusCode(404);
    }

    @Test
    void statsCountTasksByStateAndType() {
        given().contentType(ContentType.JSON).body("{\"type\": \"noop\", \"payload\": 1, \"delaySeconds\": 600}")
                .post("/taskqueue/tasks").then().statusCode(201);

        given().get("/taskqueue/stats").then().statusCode(200)
                .body("total", greaterThan(0)).body("byType.noop.SCHEDULED", greaterThan(0))
                .body("byState.SCHEDULED", greaterThan(0));
    }

    static JsonNode awaitFinal(String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            String body = given().get("/taskqueue/tasks/" + id).then().statusCode(200).extract().asString();
            try {
                JsonNode node = MAPPER.readTree(body);
                String state = node.get("state").asText();
                if (List.of("SUCCEEDED", "FAILED", "CANCELLED", "SUPERSEDED").contains(state)
                        || System.nanoTime() > deadline) {
                    return node;
                }
                Thread.sleep(50);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    static void awaitGroupDone(String group) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Object> summary = given().get("/taskqueue/groups/" + group).then().statusCode(200)
                    .extract().as(Map.class);
            if (Boolean.TRUE.equals(summary.get("done"))) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
