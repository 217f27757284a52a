package io.quarkiverse.taskqueue;

import java.util.Map;
import java.util.stream.Collectors;

/** Some tasks of a group did not succeed; {@link #failures()} maps their ids to their errors. */
public class GroupFailedException extends RuntimeException {

    private final String groupId;
    private final transient Map<TaskId, String> failures;

    public GroupFailedException(String groupId, Map<TaskId, String> failures) {
        super("Group " + groupId + ": " + failures.size() + " task(s) did not succeed: "
                + failures.entrySet().stream().limit(10).map(e -> e.getKey() + " (" + e.getValue() + ")")
                        .collect(Collectors.joining(", "))
                + (failures.size() > 10 ? ", ..." : ""));
        this.groupId = groupId;
        this.failures = Map.copyOf(failures);
    }

    public String groupId() {
        return groupId;
    }

    public Map<TaskId, String> failures() {
        return failures;
    }
}
