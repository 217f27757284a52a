package io.quarkiverse.taskqueue.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.runtime.store.SubmissionReceipts.Stored;

/** The decisions and the encoding of resumable submissions, without a database. */
class SubmissionReceiptsTest {

    static NewTask task(int index, String payload) {
        return new NewTask(index, "t", payload, null, null, null, 0, 3, null, null, 0, null);
    }

    static List<NewTask> chunk(int first, int size, String payloadPrefix) {
        List<NewTask> tasks = new ArrayList<>();
        for (int i = first; i < first + size; i++) {
            tasks.add(task(i, "\"" + payloadPrefix + i + "\""));
        }
        return tasks;
    }

    static ChunkReceipt receipt(Integer count, List<NewTask> chunk) {
        return ChunkReceipt.of("import-1", count, chunk, 0);
    }

    @Test
    void placementsOfEveryKindComeBackAsTheyWereStored() {
        List<Placement> placements = List.of(
                new Placement(0, Placement.Kind.INSERTED, new TaskId(1000), null, null),
                new Placement(1, Placement.Kind.INSERTED, new TaskId(1001), null, null),
                new Placement(3, Placement.Kind.SUPERSEDED, new TaskId(1002), new TaskId(17), null),
                new Placement(4, Placement.Kind.SKIPPED, null, new TaskId(18), null),
                new Placement(5, Placement.Kind.FAILED, null, null, "dedup key 'k' is active (FAIL): ü"),
                new Placement(9, Placement.Kind.INSERTED, new TaskId(990), null, null),
                new Placement(10, Placement.Kind.INSERTED, new TaskId(5_000_000_000L), null, null));

        assertThat(SubmissionReceipts.decode(SubmissionReceipts.encode(placements))).isEqualTo(placements);
        assertThat(SubmissionReceipts.decode(SubmissionReceipts.encode(List.of()))).isEmpty();
    }

    @Test
    void aPlainChunkTakesAFewBytesPerTask() {
        List<Placement> placements = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            placements.add(new Placement(i, Placement.Kind.INSERTED, new TaskId(1_000_000 + i), null, null));
        }
        // kind, index delta and id delta: one byte each, then 4/3 for base64
        assertThat(SubmissionReceipts.encode(placements).length()).isLessThanOrEqualTo(4 * 10_000 + 16);
    }

    @Test
    void aChunkWithoutAReceiptIsWritten() {
        assertThat(SubmissionReceipts.replay(receipt(300, chunk(100, 100, "p")), 300, List.of())).isNull();
        assertThat(SubmissionReceipts.replay(receipt(null, chunk(0, 100, "p")), null, List.of())).isNull();
    }

    @Test
    void aChunkWrittenBeforeIsReplayed() {
        List<NewTask> chunk = chunk(100, 100, "p");
        List<Placement> placements = List.of(new Placement(100, Placement.Kind.INSERTED, new TaskId(7), null, null));
        Stored stored = new Stored(100, 199, receipt(300, chunk).fingerprint(), SubmissionReceipts.encode(placements));

        assertThat(SubmissionReceipts.replay(receipt(300, chunk), 300, List.of(stored))).isEqualTo(placements);
    }

    @Test
    void otherTasksUnderTheSameIdAreRefusedNamingIt() {
        List<NewTask> chunk = chunk(100, 100, "p");
        Stored stored = new Stored(100, 199, receipt(300, chunk).fingerprint(), SubmissionReceipts.encode(List.of()));

        assertThatThrownBy(() -> SubmissionReceipts.replay(receipt(300, chunk(100, 100, "q")), 300, List.of(stored)))
                .isInstanceOf(SubmissionMismatchException.class)
                .hasMessageContaining("import-1").hasMessageContaining("inputs 100-199 were written with other tasks");
        assertThatThrownBy(() -> SubmissionReceipts.replay(receipt(300, chunk(50, 100, "p")), 300, List.of(stored)))
                .hasMessageContaining("or another chunk size");
        assertThatThrownBy(() -> SubmissionReceipts.replay(receipt(299, chunk), 300, List.of()))
                .hasMessageContaining("first used for a batch of 300 task(s), this call has a batch of 299 task(s)");
        assertThatThrownBy(() -> SubmissionReceipts.replay(receipt(null, chunk), 300, List.of()))
                .hasMessageContaining("this call has a stream");
    }

    @Test
    void theFingerprintSeesTypesKeysGroupsAndPayloads() {
        NewTask base = task(0, "{\"a\":1}");
        long fingerprint = ChunkReceipt.fingerprint(List.of(base));

        assertThat(ChunkReceipt.fingerprint(List.of(task(0, "{\"a\":1}")))).isEqualTo(fingerprint);
        assertThat(ChunkReceipt.fingerprint(List.of(task(0, "{\"a\":2}")))).isNotEqualTo(fingerprint);
        assertThat(ChunkReceipt.fingerprint(List.of(new NewTask(0, "u", "{\"a\":1}", null, null, null, 0, 3, null, null,
                0, null)))).isNotEqualTo(fingerprint);
        assertThat(ChunkReceipt.fingerprint(List.of(new NewTask(0, "t", "{\"a\":1}", "k", null, null, 0, 3, null, null,
                0, null)))).isNotEqualTo(fingerprint);
        assertThat(ChunkReceipt.fingerprint(List.of(new NewTask(0, "t", "{\"a\":1}", null, "g", null, 0, 3, null, null,
                0, null)))).isNotEqualTo(fingerprint);
    }
}
