package io.quarkiverse.taskqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The memory of a REST request is bounded whatever its body: the packaged application runs with a small heap and
 * a raised body limit, and gets almost ten megabytes of items that are all bad.
 */
class SqliteRestMemoryIT {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final int ITEMS = 4_950_000;

    @Test
    void fiveMillionBadItemsGetACappedListOfFailuresAndTheirCount() throws Exception {
        Path store = AppProcess.freshFile("rest-memory");
        try (AppProcess app = AppProcess.start(store, List.of("-Xmx96m"),
                "quarkus.taskqueue.rest.max-body-size=20M", "quarkus.http.limits.max-body-size=20M")) {
            String url = app.url(Duration.ofSeconds(60));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

            // a JSON array: [1,1,1,...], each item a number instead of a task
            byte[] array = new byte[2 * ITEMS + 1];
            Arrays.fill(array, (byte) '1');
            array[0] = '[';
            for (int i = 2; i < array.length - 1; i += 2) {
                array[i] = ',';
            }
            array[array.length - 1] = ']';
            HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(url + "/taskqueue/batches"))
                    .header("Content-Type", "application/json").timeout(Duration.ofMinutes(3))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(array)).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(reply.statusCode()).as("%s\n%s", reply.body(), app.lastLines()).isEqualTo(400);
            JsonNode outcome = MAPPER.readTree(reply.body());
            assertThat(outcome.get("submitted")).isEmpty();
            assertThat(outcome.get("failedCount").asLong()).isEqualTo(ITEMS);
            JsonNode failed = outcome.get("failed");
            assertThat(failed).hasSize(1000);
            assertThat(failed.get(0).get("index").asInt()).isEqualTo(0);
            assertThat(failed.get(0).get("line").asInt()).isEqualTo(1);
            assertThat(failed.get(0).get("message").asText()).contains("not the number 1");
            assertThat(failed.get(999).get("index").asInt()).isEqualTo(999);

            // the same as NDJSON: one bad line after the other
            byte[] lines = new byte[2 * ITEMS];
            for (int i = 0; i < lines.length; i += 2) {
                lines[i] = '1';
                lines[i + 1] = '\n';
            }
            HttpResponse<String> streamed = http.send(HttpRequest.newBuilder(URI.create(url + "/taskqueue/batches"))
                    .header("Content-Type", "application/x-ndjson").timeout(Duration.ofMinutes(3))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(lines)).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(streamed.statusCode()).as("%s\n%s", streamed.body(), app.lastLines()).isEqualTo(200);
            List<JsonNode> outcomes = new ArrayList<>();
            for (String line : streamed.body().split("\n")) {
                if (!line.isBlank()) {
                    outcomes.add(MAPPER.readTree(line));
                }
            }
            long count = 0;
            for (JsonNode o : outcomes) {
                assertThat(o.has("error")).as(o.toString()).isFalse();
                assertThat(o.get("failed").size()).isLessThanOrEqualTo(1000);
                count += o.get("failedCount").asLong();
            }
            assertThat(count).isEqualTo(ITEMS);
            assertThat(outcomes.get(0).get("failed").get(0).get("line").asInt()).isEqualTo(1);

            HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create(url + "/taskqueue/stats"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(stats.statusCode()).isEqualTo(200);
            assertThat(app.isAlive()).isTrue();
        }
    }
}
