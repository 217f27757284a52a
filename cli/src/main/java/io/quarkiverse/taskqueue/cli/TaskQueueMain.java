package io.quarkiverse.taskqueue.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import picocli.CommandLine;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The {@code taskqueue} command. The store's datasource URL is read when Quarkus starts, so {@link #main} looks
 * at the arguments first: {@code --db PATH} becomes {@code quarkus.taskqueue.sqlite.path}, {@code --pg URL} the
 * PostgreSQL store of {@link CliStore}, {@code demo} gets a
 * fresh store file and workers, {@code --url} a throwaway store (the work happens in the remote application).
 */
@QuarkusMain
public class TaskQueueMain implements QuarkusApplication {

    /** The system property that tells the demo command where its fresh store is. */
    static final String DEMO_DB = "taskqueue.demo.db";
    static final String SQLITE_PATH = "quarkus.taskqueue.sqlite.path";
    /** The system property that gives {@link CliStore} the PostgreSQL URL of {@code --pg}. */
    static final String PG_URL = "taskqueue.cli.pg";

    public static void main(String... args) {
        String command = args.length > 0 ? args[0] : null;
        String db = optionValue(args, "--db");
        String pg = optionValue(args, "--pg");
        if (pg != null && !"demo".equals(command)) {
            System.setProperty(PG_URL, pg);
        } else if ("demo".equals(command)) {
            // the demo's handler must not be registered in a real store: it gets its own fresh file
            Path file = db != null ? Path.of(db) : temporaryStore("taskqueue-demo-");
            deleteStore(file);
            System.setProperty(SQLITE_PATH, file.toString());
            System.setProperty(DEMO_DB, file.toString());
            System.setProperty("quarkus.taskqueue.worker.enabled", "true");
            if (db == null) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteStore(file)));
            }
        } else if (db != null) {
            System.setProperty(SQLITE_PATH, db);
        } else if (optionValue(args, "--url") != null) {
            Path file = temporaryStore("taskqueue-cli-");
            System.setProperty(SQLITE_PATH, file.toString());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteStore(file)));
        }
        Quarkus.run(TaskQueueMain.class, args);
    }

    @Override
    public int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new TaskQueueCommand());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("taskqueue: " + Cli.describe(e));
            if (System.getenv("TASKQUEUE_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return ExitCodes.ERROR;
        });
        return cl;
    }

    /** The value of {@code --name VALUE} or {@code --name=VALUE}, or null. */
    static String optionValue(String[] args, String name) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(name) && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith(name + "=")) {
                return args[i].substring(name.length() + 1);
            }
        }
        return null;
    }

    private static Path temporaryStore(String prefix) {
        try {
            Path file = Files.createTempFile(prefix, ".db");
            Files.delete(file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary store file", e);
        }
    }

    static void deleteStore(Path file) {
        for (String suffix : new String[] { "", "-wal", "-shm", "-journal" }) {
            try {
                Files.deleteIfExists(Path.of(file + suffix));
            } catch (IOException e) {
                // a leftover temporary file is harmless
            }
        }
    }
}
