package io.quarkiverse.taskqueue.it;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** A node that submits but does not run tasks, on a store of its own. */
public class SubmitOnlyProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.taskqueue.worker.enabled", "false",
                "quarkus.taskqueue.sqlite.path", "target/it-submit-only-" + System.nanoTime() + ".db");
    }
}
