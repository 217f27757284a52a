package io.quarkiverse.taskqueue.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/** One write at a time; whatever way a write ends, what was queued meanwhile is written. */
class SerialWritesTest {

    private final List<List<String>> batches = new ArrayList<>();
    private final List<UniEmitter<? super Void>> open = new ArrayList<>();
    private final List<Runnable> paused = new ArrayList<>();
    private final SerialWrites<String> writes = new SerialWrites<>("items", 2, batch -> {
        batches.add(batch);
        return Uni.createFrom().<Void> emitter(open::add);
    }, paused::add);

    @Test
    void offersDuringAWriteAreWrittenByTheNextOneUpToItsLimit() {
        writes.offer("a");
        writes.offer("b");
        writes.offer("c");
        writes.offer("d");

        assertThat(batches).containsExactly(List.of("a"));
        open.get(0).complete(null);
        assertThat(batches).containsExactly(List.of("a"), List.of("b", "c"));
        open.get(1).complete(null);
        assertThat(batches).containsExactly(List.of("a"), List.of("b", "c"), List.of("d"));
    }

    @Test
    void aFailedWriteIsTriedAgainAfterAPauseWithWhatCameMeanwhile() {
        writes.offer("a");
        writes.offer("b");
        open.get(0).fail(new IllegalStateException("database down"));

        assertThat(batches).hasSize(1);
        assertThat(paused).hasSize(1);
        paused.get(0).run();
        assertThat(batches.get(1)).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aWriteTheCallerRunsHoldsTheQueueUntilItEnds() {
        writes.offer("a");
        List<String> taken = writes.acquire();
        assertThat(taken).isNull(); // "a" is being written

        open.get(0).complete(null);
        taken = writes.acquire();
        assertThat(taken).isEmpty();
        writes.offer("b");
        assertThat(batches).hasSize(1);
        writes.failed(List.of("x"), new IllegalStateException("claim failed"));

        paused.get(0).run();
        assertThat(batches.get(1)).containsExactlyInAnyOrder("b", "x");
    }

    @Test
    void aWriteThatThrowsDoesNotKeepTheQueue() {
        List<String> seen = new ArrayList<>();
        SerialWrites<String> throwing = new SerialWrites<>("items", 10, batch -> {
            seen.addAll(batch);
            if (seen.size() == 1) {
                throw new IllegalArgumentException("bug");
            }
            return Uni.createFrom().voidItem();
        }, Runnable::run);

        throwing.offer("a");

        assertThat(seen).containsExactly("a", "a");
        assertThat(throwing.acquire()).isEmpty();
    }
}
