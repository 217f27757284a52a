package io.quarkiverse.taskqueue.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** SQLite-specific: the readiness check is DOWN while the store's file cannot be written, and UP again after. */
@QuarkusTest
class SqliteReadinessTest {

    static final Path FILE = Path.of("target/it-taskqueue.db").toAbsolutePath();

    @Test
    void readinessIsDownWhileTheFileIsNotWritableAndUpAgainAfter() throws Exception {
        assertThat(given().get("/q/health/ready").statusCode()).isEqualTo(200);

        makeWritable(false);
        try {
            assertThat(Files.isWritable(FILE)).as("this test could not make %s read-only", FILE).isFalse();
            ObservabilityContract.eventually(() -> {
                Response r = given().get("/q/health/ready");
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.jsonPath().getString("checks.find { it.name == 'TaskQueue' }.data.error"))
                        .contains(FILE.toString()).contains("not writable");
            });
        } finally {
            makeWritable(true);
        }
        ObservabilityContract.eventually(() -> assertThat(given().get("/q/health/ready").statusCode()).isEqualTo(200));
    }

    /** Root ignores permissions, so as root the file is made immutable instead. */
    private static void makeWritable(boolean writable) throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> command = root ? List.of("chattr", writable ? "-i" : "+i", FILE.toString())
                : List.of("chmod", writable ? "u+w" : "a-w", FILE.toString());
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor()).as("%s", command).isZero();
    }
}
