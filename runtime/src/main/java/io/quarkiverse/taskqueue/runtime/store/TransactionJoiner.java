package io.quarkiverse.taskqueue.runtime.store;

/** Finds the caller's transaction that a submission joins, on the caller's thread when the call is made. */
public interface TransactionJoiner {

    /** The caller's active transaction that the store can write in, or null. */
    CallerTransaction current();
}
