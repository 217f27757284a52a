package io.quarkiverse.taskqueue.runtime.store;

import java.util.List;

import io.quarkiverse.taskqueue.TaskId;

/**
 * A committed chunk: a placement per task in chunk order, the running tasks that were superseded (they are
 * asked to cancel) and the earliest due time of the delayed tasks written (0: none). A chunk of a submission with
 * an id that was committed before is {@code replayed}: its placements are the ones stored then, nothing was
 * written now, and {@code batchId} is the batch id the submission was first written under.
 */
public record ChunkResult(List<Placement> placements, List<TaskId> supersededRunning, long earliestDue, String batchId,
        boolean replayed) {

    public ChunkResult(List<Placement> placements, List<TaskId> supersededRunning, long earliestDue) {
        this(placements, supersededRunning, earliestDue, null, false);
    }

    /** The chunk as stored by an earlier call with the same submission id. */
    public static ChunkResult replayed(List<Placement> placements, String batchId) {
        return new ChunkResult(placements, List.of(), 0, batchId, true);
    }

    public ChunkResult withBatchId(String batchId) {
        return new ChunkResult(placements, supersededRunning, earliestDue, batchId, replayed);
    }
}
