package io.quarkiverse.taskqueue.runtime.store;

import java.util.Map;

/**
 * How much a claim may take, asked when the claim runs (not when it was requested), so that a claim takes
 * every worker slot freed while the store was busy.
 */
public interface ClaimBudget {

    /** Reserves and returns every free worker slot. */
    int reserveSlots();

    /** Gives back slots that were reserved but not used. */
    void releaseSlots(int unused);

    /** Free slots per limited concurrency key (keys not in the map are unlimited). */
    Map<String, Integer> keyCapacity();
}
