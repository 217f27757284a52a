package io.quarkiverse.taskqueue.it;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import io.quarkiverse.taskqueue.TaskHandler;

/** A handler that fails for the labels a test has blown, until it repairs them: a failure that a retry can cure. */
@Singleton
public class Fuse {

    private final Set<String> blown = ConcurrentHashMap.newKeySet();

    public void blow(String label) {
        blown.add(label);
    }

    public void repair(String label) {
        blown.remove(label);
    }

    @TaskHandler("fuse")
    String run(String label) {
        if (blown.contains(label)) {
            throw new IllegalStateException("fuse " + label + " is blown");
        }
        return label;
    }
}
