package io.quarkiverse.taskqueue;

import java.util.List;

/**
 * What a batch did, task by task. {@code submitted} lists inserted tasks in input order (superseding ones
 * included); {@code deduplicated} the dedup keys of tasks that were not inserted because another task with
 * the key won; {@code superseded} the replaced pairs; {@code failed} the tasks that were rejected, by input index.
 */
public record BatchOutcome(String batchId, List<TaskId> submitted, List<String> deduplicated,
        List<Superseded> superseded, List<BatchFailure> failed) {

    public BatchOutcome {
        submitted = List.copyOf(submitted);
        deduplicated = List.copyOf(deduplicated);
        superseded = List.copyOf(superseded);
        failed = List.copyOf(failed);
    }

    /** The number of tasks the batch was given. */
    public int total() {
        return submitted.size() + deduplicated.size() + failed.size();
    }
}
