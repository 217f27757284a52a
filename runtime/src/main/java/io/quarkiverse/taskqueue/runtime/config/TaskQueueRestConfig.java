package io.quarkiverse.taskqueue.runtime.config;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** TaskQueue configuration fixed at build time: the store, and whether and where the REST API is served. */
@ConfigMapping(prefix = "quarkus.taskqueue")
@ConfigRoot(phase = ConfigPhase.BUILD_AND_RUN_TIME_FIXED)
public interface TaskQueueRestConfig {

    /**
     * The store that keeps the tasks, chosen at build time. `sqlite` (the default) is an embedded file, for one
     * application node; `postgresql` (for several nodes) needs `io.quarkus:quarkus-reactive-pg-client`.
     */
    @WithDefault("sqlite")
    StoreKind store();

    enum StoreKind {
        SQLITE,
        POSTGRESQL
    }

    /** The REST API. It needs `io.quarkus:quarkus-rest` in the application. */
    Rest rest();

    interface Rest {
        /**
         * Whether the REST API is served. Off by default: turning it on lets anyone who reaches the HTTP port
         * submit and cancel tasks, so secure it as you secure the rest of the application.
         */
        @WithDefault("false")
        boolean enabled();

        /** The path under which the REST API is served (relative to `quarkus.http.root-path`). */
        @WithDefault("/taskqueue")
        String path();
    }
}
