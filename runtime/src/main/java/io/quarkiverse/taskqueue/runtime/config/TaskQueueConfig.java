package io.quarkiverse.taskqueue.runtime.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** TaskQueue configuration. */
@ConfigMapping(prefix = "quarkus.taskqueue")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface TaskQueueConfig {

    /** The embedded SQLite store. */
    Sqlite sqlite();

    /**
     * The name of a datasource of the application to keep the tasks in. With the SQLite store (`store=sqlite`)
     * it replaces the embedded file that `sqlite.path` names and must be a SQLite datasource (the application
     * then has the `quarkus-agroal` and `quarkus-jdbc-sqlite` extensions). With `store=postgresql` it names the
     * reactive PostgreSQL datasource to use instead of the default one.
     */
    Optional<String> datasource();

    /** Batch submission. */
    Batch batch();

    /** Submissions with an id (`BatchSubmission.submissionId`), which can be resumed. */
    Submission submission();

    /** The workers that run the tasks. */
    Worker worker();

    /**
     * Limits of running tasks per concurrency key: `quarkus.taskqueue.concurrency."<key>".max=2`. Keys that are
     * not configured are not limited.
     */
    @ConfigDocMapKey("key")
    Map<String, Concurrency> concurrency();

    /** Runs a task may have after its first one when it fails (a task's options override it). */
    @WithDefault("3")
    int retries();

    /** The backoff between attempts of a failed task. */
    Retry retry();

    /** How long one attempt of a task may run; none by default. A timed-out attempt counts as failed. */
    Optional<Duration> timeout();

    /**
     * How long a claimed task stays owned by this node without a heartbeat. Heartbeats renew it every third of
     * this time; a task whose lease has expired (its node died) is queued again.
     */
    @WithDefault("30s")
    Duration leaseDuration();

    /** How long a graceful shutdown waits for running tasks before it releases them back to the queue. */
    @WithDefault("10s")
    Duration shutdownTimeout();

    /**
     * How often the dispatcher looks for tasks written by another process (the CLI, say). Tasks submitted in
     * this application wake it at once and do not wait for this.
     */
    @WithDefault("1s")
    Duration pollInterval();

    /** The REST API (`rest.enabled` and `rest.path` are fixed at build time). */
    Rest rest();

    interface Sqlite {
        /**
         * The SQLite database file of the embedded store, relative to the working directory. Ignored when
         * `quarkus.taskqueue.datasource` names a datasource.
         */
        @WithDefault("taskqueue.db")
        String path();

        /**
         * How far a commit goes before it returns (SQLite's `PRAGMA synchronous`, set on the store's connection).
         * `NORMAL` (in WAL mode) survives a crash of the process but may lose the last commits if the machine loses
         * power or the OS crashes; `FULL` syncs the WAL on every commit, which survives power loss and costs a
         * disk sync per transaction.
         */
        @WithDefault("normal")
        Synchronous synchronous();
    }

    enum Synchronous {
        NORMAL,
        FULL
    }

    interface Rest {
        /**
         * The largest body accepted by `POST {path}/tasks` and by a JSON array sent to `POST {path}/batches`; a
         * larger one gets 413. Both are read item by item, so memory does not grow with it. NDJSON batches are
         * not limited by it (only by `quarkus.http.limits.max-body-size`, which also applies to JSON arrays).
         */
        @WithDefault("10M")
        MemorySize maxBodySize();
    }

    interface Batch {
        /** Tasks written per transaction by `submitBatch`, `submitStream`, `map` and `group`. */
        @WithDefault("10000")
        int chunkSize();
    }

    interface Submission {
        /**
         * How long the receipts of a submission with an id are kept, counted from its first chunk. Within this time
         * the same submission id resumes it (writes what is missing) or returns its outcome; after it, the receipts
         * are deleted in the background and the id starts a new submission. About 4 bytes per task.
         */
        @WithDefault("24h")
        Duration retention();
    }

    interface Worker {
        /** Whether this node runs tasks. With `false` it only submits them (and another node runs them). */
        @WithDefault("true")
        boolean enabled();

        /** How many tasks this node runs at once; also the size of the worker thread pool for blocking handlers. */
        @WithDefault("32")
        int poolSize();
    }

    interface Concurrency {
        /** The most tasks with this concurrency key that run at once on this node; required, at least 1. */
        int max();
    }

    interface Retry {
        /** The wait before the first retry. */
        @WithDefault("1s")
        Duration initial();

        /** The factor by which each further wait grows (1 = fixed interval). */
        @WithDefault("2")
        double multiplier();

        /** The longest wait between two attempts. */
        @WithName("max-interval")
        @WithDefault("5m")
        Duration maxInterval();

        /** Random spread of each wait, 0 to 1 (0.1 = up to 10% shorter or longer). */
        @WithDefault("0.1")
        double jitter();
    }
}
