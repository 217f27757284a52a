package io.quarkiverse.taskqueue.runtime.store;

import java.util.List;

import io.quarkiverse.taskqueue.TaskId;

/**
 * A committed chunk: a placement per task in chunk order, the running tasks that were superseded (they are
 * asked to cancel) and the earliest due time of the delayed tasks written (0: none).
 */
public record ChunkResult(List<Placement> placements, List<TaskId> supersededRunning, long earliestDue) {
}
