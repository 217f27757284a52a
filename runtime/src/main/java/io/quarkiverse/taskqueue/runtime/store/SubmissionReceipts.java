package io.quarkiverse.taskqueue.runtime.store;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.quarkiverse.taskqueue.TaskId;

/**
 * The decisions and the encoding behind resumable submissions, the same for every store. A store, in the
 * transaction of a chunk that carries a {@link ChunkReceipt}, reads the submission and the receipts that overlap the
 * chunk's index range, asks {@link #replay} whether the chunk was written before, and if not writes it and stores
 * {@link #encode encoded} placements next to it.
 */
public final class SubmissionReceipts {

    private SubmissionReceipts() {
    }

    /** A receipt read back: the index range, fingerprint and encoded placements of one committed chunk. */
    public record Stored(int firstIndex, int lastIndex, long fingerprint, String placements) {
    }

    /**
     * The placements of a chunk written before under the same submission, or {@code null} when it must be written now.
     *
     * @param storedCount the task count the submission was first written with ({@code null}: a stream)
     * @param overlapping the receipts of the submission whose index range overlaps the chunk's
     * @throws SubmissionMismatchException when the submission id was used for other tasks
     */
    public static List<Placement> replay(ChunkReceipt chunk, Integer storedCount, List<Stored> overlapping) {
        String id = chunk.submissionId();
        if (storedCount == null ? chunk.taskCount() != null : !storedCount.equals(chunk.taskCount())) {
            throw new SubmissionMismatchException(id, "it was first used for " + describe(storedCount)
                    + ", this call has " + describe(chunk.taskCount()));
        }
        for (Stored s : overlapping) {
            if (s.firstIndex() == chunk.firstIndex() && s.lastIndex() == chunk.lastIndex()
                    && s.fingerprint() == chunk.fingerprint()) {
                return decode(s.placements());
            }
        }
        if (!overlapping.isEmpty()) {
            Stored s = overlapping.get(0);
            throw new SubmissionMismatchException(id, "inputs " + s.firstIndex() + "-" + s.lastIndex()
                    + " were written with other tasks" + (s.firstIndex() != chunk.firstIndex()
                            || s.lastIndex() != chunk.lastIndex() ? " or another chunk size" : ""));
        }
        return null;
    }

    /** The task count as a column holds it: -1 for a stream. */
    public static int storedCount(Integer taskCount) {
        return taskCount == null ? -1 : taskCount;
    }

    public static Integer taskCount(int storedCount) {
        return storedCount < 0 ? null : storedCount;
    }

    private static String describe(Integer count) {
        return count == null ? "a stream" : "a batch of " + count + " task(s)";
    }

    // ------------------------------------------------------------------ encoding

    private static final int INSERTED = 0;
    private static final int SUPERSEDED = 1;
    private static final int SKIPPED = 2;
    private static final int FAILED = 3;

    /**
     * The placements of a chunk, compact: per task a kind, the index and id as varint deltas from the previous task's
     * (a task of a plain batch takes 3 bytes), the other task's id and a failure's message when there is one. Base64,
     * so that it is plain text in every database.
     */
    public static String encode(List<Placement> placements) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(placements.size() * 3 + 8);
        writeVarint(out, placements.size());
        long lastIndex = -1;
        long lastId = 0;
        for (Placement p : placements) {
            int kind = switch (p.kind()) {
                case INSERTED -> INSERTED;
                case SUPERSEDED -> SUPERSEDED;
                case SKIPPED -> SKIPPED;
                case FAILED -> FAILED;
            };
            out.write(kind);
            writeVarint(out, p.index() - lastIndex - 1);
            lastIndex = p.index();
            if (p.id() != null) {
                writeVarint(out, zigzag(p.id().value() - lastId - 1));
                lastId = p.id().value();
            }
            if (kind == SUPERSEDED || kind == SKIPPED) {
                writeVarint(out, p.other() == null ? 0 : p.other().value());
            }
            if (kind == FAILED) {
                byte[] message = (p.message() == null ? "" : p.message()).getBytes(StandardCharsets.UTF_8);
                writeVarint(out, message.length);
                out.write(message, 0, message.length);
            }
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    public static List<Placement> decode(String encoded) {
        byte[] in = Base64.getDecoder().decode(encoded);
        int[] pos = { 0 };
        int n = (int) readVarint(in, pos);
        List<Placement> placements = new ArrayList<>(n);
        long lastIndex = -1;
        long lastId = 0;
        for (int i = 0; i < n; i++) {
            int kind = in[pos[0]++];
            int index = (int) (lastIndex + 1 + readVarint(in, pos));
            lastIndex = index;
            TaskId id = null;
            if (kind == INSERTED || kind == SUPERSEDED) {
                lastId = lastId + 1 + unzigzag(readVarint(in, pos));
                id = new TaskId(lastId);
            }
            TaskId other = null;
            if (kind == SUPERSEDED || kind == SKIPPED) {
                long o = readVarint(in, pos);
                other = o == 0 ? null : new TaskId(o);
            }
            String message = null;
            if (kind == FAILED) {
                int length = (int) readVarint(in, pos);
                message = new String(in, pos[0], length, StandardCharsets.UTF_8);
                pos[0] += length;
            }
            placements.add(new Placement(index, switch (kind) {
                case INSERTED -> Placement.Kind.INSERTED;
                case SUPERSEDED -> Placement.Kind.SUPERSEDED;
                case SKIPPED -> Placement.Kind.SKIPPED;
                default -> Placement.Kind.FAILED;
            }, id, other, message));
        }
        return placements;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long readVarint(byte[] in, int[] pos) {
        long v = 0;
        int shift = 0;
        while (true) {
            byte b = in[pos[0]++];
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
            shift += 7;
        }
    }
}
