package io.quarkiverse.taskqueue.deployment;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.inject.spi.DeploymentException;

/** Finds the extension's validation error in the exception a failed build throws. */
final class BuildFailures {

    static final String HEADER = "Invalid @TaskHandler methods";

    private BuildFailures() {
    }

    /**
     * The message of the ONE {@link DeploymentException} the processor produced for invalid handlers. ArC may wrap
     * it, or attach it as a suppressed exception, so causes and suppressed exceptions are searched.
     */
    static String taskHandlerError(Throwable failure) {
        List<DeploymentException> found = new ArrayList<>();
        collect(failure, found, new IdentityHashMap<>());
        DeploymentException ours = null;
        int count = 0;
        for (DeploymentException e : found) {
            if (e.getMessage() != null && e.getMessage().startsWith(HEADER)) {
                ours = e;
                count++;
            }
        }
        assertNotNull(ours, () -> "expected a DeploymentException starting with '" + HEADER + "', got " + failure);
        if (count != 1) {
            throw new AssertionError("expected exactly one TaskQueue validation error, got " + count + ": " + failure);
        }
        return ours.getMessage();
    }

    private static void collect(Throwable t, List<DeploymentException> found, Map<Throwable, Boolean> seen) {
        if (t == null || seen.put(t, Boolean.TRUE) != null) {
            return;
        }
        if (t instanceof DeploymentException d) {
            found.add(d);
        }
        collect(t.getCause(), found, seen);
        for (Throwable s : t.getSuppressed()) {
            collect(s, found, seen);
        }
    }

    /** {@code org.acme.Jobs#run()}, as the processor names a method. */
    static String method(Class<?> type, String name) {
        return type.getName() + "#" + name + "()";
    }
}
