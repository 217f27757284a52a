package io.quarkiverse.taskqueue.cli;

/** The exit codes of the {@code taskqueue} command (documented in cli.adoc). */
final class ExitCodes {

    /** Everything was done: every line submitted, the task or group found. */
    static final int OK = 0;
    /** Some lines or tasks failed (each reported by line number on stderr); the others were submitted. */
    static final int SOME_FAILED = 1;
    /** A usage error (unknown option, missing argument) or an I/O error (unreadable file, unreachable --url). */
    static final int ERROR = 2;
    /** The task or group does not exist. */
    static final int NOT_FOUND = 3;

    private ExitCodes() {
    }
}
