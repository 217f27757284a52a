package io.quarkiverse.taskqueue.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schema upgrades keep existing files readable; a file already up to date is only read. */
class SqliteSchemaTest {

    @TempDir
    Path dir;

    @Test
    void aVersion2FileIsUpgradedKeepingItsTasksAndGroups() throws Exception {
        Path file = dir.resolve("v2.db");
        try (Connection c = open(file); Statement s = c.createStatement()) {
            SqliteSchema.migrate(c);
            // back to what version 2 wrote: no writer table, no submissions or callbacks, a group left open by a
            // process of that version
            s.execute("DROP TABLE tq_group_writer");
            s.execute("DROP TABLE tq_receipt");
            s.execute("DROP TABLE tq_submission");
            s.execute("DROP INDEX tq_task_after_group");
            s.execute("ALTER TABLE tq_task DROP COLUMN after_group");
            s.execute("UPDATE tq_meta SET value = '2' WHERE key = 'schema_version'");
            s.execute("INSERT INTO tq_task (id, type, payload, state, priority, max_retries, created_at) "
                    + "VALUES (1, 'send_email', '{}', 1, 0, 3, 0)");
            s.execute("INSERT INTO tq_group (id, created_at, active, open_submissions) VALUES ('g', 0, 1, 1)");
        }
        try (Connection c = open(file); Statement s = c.createStatement()) {
            SqliteSchema.migrate(c);

            assertThat(longValue(s, "SELECT value FROM tq_meta WHERE key = 'schema_version'")).isEqualTo(4);
            assertThat(longValue(s, "SELECT count(*) FROM tq_group_writer")).isZero();
            assertThat(longValue(s, "SELECT count(*) FROM tq_submission")).isZero();
            assertThat(longValue(s, "SELECT count(*) FROM tq_task WHERE after_group IS NULL")).isEqualTo(1);
            assertThat(longValue(s, "SELECT open_submissions FROM tq_group WHERE id = 'g'")).isZero();
            assertThat(longValue(s, "SELECT active FROM tq_group WHERE id = 'g'")).isEqualTo(1);
            assertThat(longValue(s, "SELECT count(*) FROM tq_task WHERE type = 'send_email'")).isEqualTo(1);
        }
    }

    @Test
    void openingAnUpToDateFileWritesNothing() throws Exception {
        Path file = dir.resolve("current.db");
        try (Connection c = open(file)) {
            SqliteSchema.migrate(c);
        }
        long size = Files.size(file);
        try (Connection c = open(file); Statement s = c.createStatement()) {
            SqliteSchema.migrate(c);
            assertThat(longValue(s, "SELECT total_changes()")).isZero();
        }
        assertThat(Files.size(file)).isEqualTo(size);
    }

    private static Connection open(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    private static long longValue(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
