package io.quarkiverse.taskqueue.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** What a failed REST call means for the CLI. */
final class Remote {

    private Remote() {
    }

    static int failed(RestClient.Reply reply) {
        String message = reply.body();
        try {
            JsonNode node = Cli.mapper().readTree(reply.body());
            if (node.has("error")) {
                message = node.get("error").asText();
            }
        } catch (Exception e) {
            // not JSON: show the body as it is
        }
        System.err.println("taskqueue: " + message + " (HTTP " + reply.status() + ")");
        return reply.status() == 404 ? ExitCodes.NOT_FOUND : ExitCodes.ERROR;
    }
}
