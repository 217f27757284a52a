package io.quarkiverse.taskqueue.runtime.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.quarkiverse.taskqueue.runtime.dispatch.LeaseRescue.Outcome;

/** What becomes of a task its node gave up, without a database. */
class LeaseRescueTest {

    @Test
    void anExpiredTaskRunsAgainWhileItHasRetriesLeftThenFails() {
        // maxRetries 2: attempts 1, 2 and 3 are allowed
        assertThat(LeaseRescue.expired(1, 2, false)).isEqualTo(Outcome.RETRY);
        assertThat(LeaseRescue.expired(2, 2, false)).isEqualTo(Outcome.RETRY);
        assertThat(LeaseRescue.expired(3, 2, false)).isEqualTo(Outcome.FAIL);
        assertThat(LeaseRescue.expired(1, 0, false)).isEqualTo(Outcome.FAIL);
    }

    @Test
    void aTaskWhoseCancelWasAskedForEndsCancelledWhateverItsRetries() {
        assertThat(LeaseRescue.expired(1, 5, true)).isEqualTo(Outcome.CANCEL);
        assertThat(LeaseRescue.released(true)).isEqualTo(Outcome.CANCEL);
    }

    @Test
    void aReleasedTaskAlwaysRunsAgainBecauseItsAttemptDoesNotCount() {
        assertThat(LeaseRescue.released(false)).isEqualTo(Outcome.RETRY);
    }
}
