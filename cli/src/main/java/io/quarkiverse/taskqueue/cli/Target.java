package io.quarkiverse.taskqueue.cli;

import picocli.CommandLine.Option;

/**
 * Where the commands work: the embedded store (default), another SQLite file, a PostgreSQL store, or a running
 * application.
 */
public class Target {

    @Option(names = "--db", paramLabel = "PATH",
            description = "The SQLite store file (default: quarkus.taskqueue.sqlite.path, taskqueue.db).")
    String db;

    @Option(names = "--pg", paramLabel = "URL",
            description = "A PostgreSQL store, e.g. postgresql://user:password@host:5432/db (the database of the "
                    + "applications that use quarkus.taskqueue.store=postgresql).")
    String pg;

    @Option(names = "--url", paramLabel = "URL",
            description = "A running application's REST API, e.g. http://localhost:8080 (path /taskqueue) "
                    + "or http://host:8080/custom-path.")
    String url;

    boolean remote() {
        return url != null;
    }

    RestClient client() {
        return new RestClient(url);
    }
}
