package io.quarkiverse.taskqueue.runtime.store;

import java.util.List;

/**
 * What a chunk of a submission with an id records, in the chunk's own transaction: its input index range and a
 * fingerprint of its tasks, with the placements the store made. {@code taskCount} is the size of the whole batch,
 * or {@code null} for a stream, whose size is not known in advance. A submission first recorded before
 * {@code expiredBefore} (epoch millis) is past its retention: it is forgotten and the id starts a new one.
 */
public record ChunkReceipt(String submissionId, Integer taskCount, int firstIndex, int lastIndex, long fingerprint,
        long expiredBefore) {

    /** The receipt of {@code chunk} (tasks in input order) of the submission {@code submissionId}. */
    public static ChunkReceipt of(String submissionId, Integer taskCount, List<NewTask> chunk, long expiredBefore) {
        return new ChunkReceipt(submissionId, taskCount, chunk.get(0).index(), chunk.get(chunk.size() - 1).index(),
                fingerprint(chunk), expiredBefore);
    }

    /**
     * A 64-bit digest of what makes the tasks the same tasks: index, type, dedup key, group and payload. It catches
     * a submission id reused for other tasks by mistake; it is not meant to resist a crafted collision.
     */
    static long fingerprint(List<NewTask> tasks) {
        long h = 0x9E3779B97F4A7C15L;
        for (NewTask t : tasks) {
            h = mix(h, t.index());
            h = mix(h, t.taskType().hashCode());
            h = mix(h, t.dedupKey() == null ? 0 : t.dedupKey().hashCode() + 1);
            h = mix(h, t.groupId() == null ? 0 : t.groupId().hashCode() + 1);
            h = mix(h, t.payload() == null ? 0 : t.payload().hashCode() + 1);
            h = mix(h, t.payload() == null ? 0 : t.payload().length());
        }
        return h;
    }

    private static long mix(long h, int value) {
        long x = (h ^ value) * 0xFF51AFD7ED558CCDL;
        return x ^ (x >>> 33);
    }
}
