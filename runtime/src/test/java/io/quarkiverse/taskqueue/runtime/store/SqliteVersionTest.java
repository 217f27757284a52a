package io.quarkiverse.taskqueue.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;

import org.junit.jupiter.api.Test;

/** The store refuses an SQLite engine older than its statements need, saying what to do. */
class SqliteVersionTest {

    @Test
    void anOlderEngineFailsNamingTheVersionFoundTheVersionNeededAndTheFix() {
        assertThatThrownBy(() -> SqliteSchema.requireSupportedVersion("3.34.0", "3.34.0"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SQLite 3.34.0 is too old")
                .hasMessageContaining("needs SQLite 3.38.0 or newer")
                .hasMessageContaining("org.xerial:sqlite-jdbc 3.34.0")
                .hasMessageContaining("mvn dependency:tree -Dincludes=org.xerial:sqlite-jdbc");
        assertThatThrownBy(() -> SqliteSchema.requireSupportedVersion("3.37.2", "3.37.2"))
                .hasMessageContaining("3.37.2");
    }

    @Test
    void theMinimumAndNewerEnginesAreAccepted() {
        assertThatCode(() -> SqliteSchema.requireSupportedVersion("3.38.0", "3.38.0.0")).doesNotThrowAnyException();
        assertThatCode(() -> SqliteSchema.requireSupportedVersion("3.46.1", "3.46.1.3")).doesNotThrowAnyException();
        assertThatCode(() -> SqliteSchema.requireSupportedVersion("3.100.0", "3.100.0.0")).doesNotThrowAnyException();
    }

    @Test
    void versionsCompareNumericallyPartByPart() {
        assertThat(SqliteSchema.compareVersions("3.9.0", "3.38.0")).isNegative();
        assertThat(SqliteSchema.compareVersions("3.38", "3.38.0")).isZero();
        assertThat(SqliteSchema.compareVersions("4.0.0", "3.38.0")).isPositive();
    }

    @Test
    void theDriverThisExtensionDeclaresIsRecentEnough() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:")) {
            String version = c.getMetaData().getDatabaseProductVersion();
            assertThatCode(() -> SqliteSchema.requireSupportedVersion(version, c.getMetaData().getDriverVersion()))
                    .doesNotThrowAnyException();
        }
    }
}
