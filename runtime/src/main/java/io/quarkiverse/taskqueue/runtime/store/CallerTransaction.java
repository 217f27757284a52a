package io.quarkiverse.taskqueue.runtime.store;

/**
 * A transaction of the caller's that a submission writes its tasks in (Hibernate Reactive's, on the PostgreSQL
 * store), instead of transactions of its own. Found by a {@link TransactionJoiner} when the call is made.
 */
public interface CallerTransaction {

    /** For log lines: which transaction this is. */
    String description();
}
