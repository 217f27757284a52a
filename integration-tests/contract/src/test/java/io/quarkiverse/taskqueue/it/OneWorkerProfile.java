package io.quarkiverse.taskqueue.it;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** One worker slot and a store of its own, so a test controls exactly what runs when. */
public class OneWorkerProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.taskqueue.worker.pool-size", "1",
                "quarkus.taskqueue.sqlite.path", "target/it-one-worker-" + System.nanoTime() + ".db");
    }
}
