package io.quarkiverse.taskqueue.runtime.store;

import jakarta.inject.Singleton;

/** The joiner of an application that cannot enqueue in its own transactions: submissions use their own. */
@Singleton
public class NoTransactionJoiner implements TransactionJoiner {

    @Override
    public CallerTransaction current() {
        return null;
    }
}
