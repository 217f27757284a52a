package io.quarkiverse.taskqueue.runtime.store;

import java.util.List;
import java.util.Set;

import io.quarkiverse.taskqueue.DuplicateStrategy;
import io.smallrye.mutiny.Uni;

/** The writes of a submission: its chunks, single tasks and the groups it holds open. */
public interface TaskWrites {

    /**
     * Writes one chunk in one transaction, all or nothing, checking dedup keys against active tasks in bulk.
     * Within the chunk a repeated dedup key resolves to the first task that has it.
     */
    default Uni<ChunkResult> insertChunk(String batchId, List<NewTask> tasks, DuplicateStrategy onDuplicate) {
        return insertChunk(batchId, tasks, onDuplicate, null);
    }

    /**
     * As {@link #insertChunk(String, List, DuplicateStrategy)}; with a {@code receipt}, the chunk's placements are
     * recorded under its submission id in the same transaction, and a chunk recorded before is not written again:
     * its stored placements are emitted ({@link ChunkResult#replayed()}). Fails with a
     * {@link SubmissionMismatchException} when the submission id was used for other tasks.
     */
    Uni<ChunkResult> insertChunk(String batchId, List<NewTask> tasks, DuplicateStrategy onDuplicate,
            ChunkReceipt receipt);

    /** Writes one task; concurrent calls are committed together. A duplicate resolves to the active task. */
    Uni<Placement> insertOne(NewTask task);

    /** Marks groups as being written to, so that they are not complete before the last chunk is in. */
    Uni<Void> openGroups(Set<String> groupIds);

    /** Ends {@link #openGroups}; a group whose tasks are all final then completes (reported to the listener). */
    Uni<Void> closeGroups(Set<String> groupIds);
}
