package io.quarkiverse.taskqueue.runtime.handler;

/** What a handler method returns, decided at build time. */
public enum ReturnKind {
    VOID,
    VALUE,
    UNI,
    COMPLETION_STAGE
}
