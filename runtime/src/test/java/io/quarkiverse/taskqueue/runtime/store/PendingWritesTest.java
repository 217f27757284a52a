package io.quarkiverse.taskqueue.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Offers that arrive before a write join it; the first one after it asks for the next. */
class PendingWritesTest {

    @Test
    void onlyTheFirstOfferBeforeAWriteSchedulesIt() {
        PendingWrites<String> pending = new PendingWrites<>();

        assertThat(pending.offer("a")).isTrue();
        assertThat(pending.offer("b")).isFalse();
        assertThat(pending.take(10)).containsExactly("a", "b");
        assertThat(pending.offer("c")).isTrue();
    }

    @Test
    void aWriteTakesAtMostItsLimitAndAFailedBatchIsTakenAgain() {
        PendingWrites<Integer> pending = new PendingWrites<>();
        for (int i = 0; i < 5; i++) {
            pending.offer(i);
        }

        List<Integer> first = pending.take(3);
        assertThat(first).containsExactly(0, 1, 2);
        pending.retry(first);

        assertThat(pending.take(10)).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat(pending.isEmpty()).isTrue();
    }
}
