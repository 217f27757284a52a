package io.quarkiverse.taskqueue.runtime.store;

import javax.sql.DataSource;

import org.sqlite.SQLiteDataSource;

/**
 * The embedded store's SQLite file, opened with the driver directly: no connection pool and no datasource of the
 * application's, so that neither Agroal nor Hibernate ever sees the queue's file.
 */
public final class SqliteFile {

    /** Set on every connection the store opens to its file (WAL readers never wait for the writer). */
    public static final String PRAGMAS = "journal_mode=WAL&busy_timeout=10000&wal_autocheckpoint=4000&temp_store=MEMORY";

    private SqliteFile() {
    }

    /** The JDBC URL of {@code path} with the store's pragmas. */
    public static String url(String path) {
        return "jdbc:sqlite:" + path + "?" + PRAGMAS;
    }

    public static DataSource dataSource(String path) {
        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl(url(path));
        return dataSource;
    }
}
