package io.quarkiverse.taskqueue.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** The few calls the CLI makes to a running application's REST API ({@code --url}). */
final class RestClient {

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    RestClient(String url) {
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        URI uri = URI.create(u);
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("--url must be an http(s) URL such as http://localhost:8080, not " + url);
        }
        this.base = uri.getPath() == null || uri.getPath().isEmpty() ? u + "/taskqueue" : u;
    }

    record Reply(int status, String body) {
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    Reply delete(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    /** Posts one JSON object. */
    Reply postJson(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /**
     * Streams NDJSON to {@code POST /batches}, with an {@code Idempotency-Key} when {@code submissionId} is given;
     * the reply's lines are read as they come.
     */
    HttpResponse<Stream<String>> postNdjson(Map<String, String> query, String submissionId, Supplier<InputStream> body)
            throws IOException, InterruptedException {
        StringJoiner q = new StringJoiner("&", "?", "");
        q.setEmptyValue("");
        query.forEach((k, v) -> {
            if (v != null) {
                q.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/batches" + q))
                .header("Content-Type", "application/x-ndjson").header("Accept", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofInputStream(body));
        if (submissionId != null) {
            request.header("Idempotency-Key", submissionId);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body());
    }

    String base() {
        return base;
    }
}
