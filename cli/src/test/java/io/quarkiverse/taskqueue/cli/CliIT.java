package io.quarkiverse.taskqueue.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The packaged {@code taskqueue} command, run as a separate process the way a user runs it. */
class CliIT {

    static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    Path db;

    @BeforeEach
    void freshStore() {
        db = dir.resolve("store.db");
    }

    record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return MAPPER.readTree(out);
        }
    }

    @Test
    void aJsonArrayIsSubmitted() throws Exception {
        Path file = write("tasks.json", "[\n  {\"type\": \"send_email\", \"payload\": {\"to\": \"ada@example.com\"},"
                + " \"priority\": 5, \"dedupKey\": \"welcome-ada\"},\n  [\"send_email\", {\"to\": \"bob@example.com\"}]\n]\n");

        Run run = cli("submit-many", file.toString(), "--db", db.toString(), "--allow-unknown-types");

        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).contains("Submitted 2 of 2 tasks").contains("failed:       0");
        assertThat(run.err()).doesNotContain("line ");
    }

    @Test
    void jsonOutputListsTheTaskIdsAndStatusShowsATask() throws Exception {
        Path file = write("tasks.jsonl", "{\"type\": \"send_email\", \"payload\": {\"to\": \"ada@example.com\"}, "
                + "\"priority\": 7, \"groupId\": \"g1\", \"retries\": 2, \"timeoutSeconds\": 30}\n"
                + "[\"send_email\", {\"to\": \"bob@example.com\"}]\n");

        Run run = cli("submit-many", file.toString(), "--db", db.toString(), "--allow-unknown-types", "--json");

        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        JsonNode outcome = run.json();
        assertThat(outcome.get("submitted").asInt()).isEqualTo(2);
        assertThat(outcome.get("read").asInt()).isEqualTo(2);
        assertThat(outcome.get("failed").asInt()).isEqualTo(0);
        assertThat(outcome.get("batchId").asText()).isNotBlank();
        assertThat(outcome.get("taskIds")).hasSize(2);
        String id = outcome.get("taskIds").get(0).asText();

        Run status = cli("status", id, "--db", db.toString(), "--json");
        assertThat(status.exit()).as(status.err()).isEqualTo(0);
        JsonNode task = status.json();
        assertThat(task.get("id").asText()).isEqualTo(id);
        assertThat(task.get("taskType").asText()).isEqualTo("send_email");
        assertThat(task.get("state").asText()).isEqualTo("QUEUED");
        assertThat(task.get("priority").asInt()).isEqualTo(7);
        assertThat(task.get("groupId").asText()).isEqualTo("g1");

        Run text = cli("status", id, "--db", db.toString());
        assertThat(text.out()).contains("state:          QUEUED").contains("taskType:       send_email");

        Run group = cli("group", "g1", "--db", db.toString());
        assertThat(group.exit()).isEqualTo(0);
        assertThat(group.out()).contains("total:          1").contains("queued:         1");
    }

    @Test
    void badLinesAreReportedByLineNumberAndTheOthersGoOn() throws Exception {
        Path file = write("bad.jsonl", String.join("\n",
                "{\"type\": \"send_email\", \"payload\": {\"to\": \"a@example.com\"}}",
                "{\"type\": \"send_email\", \"payload\": ",
                "{\"payload\": 1}",
                "{\"type\": \"send_email\", \"payload\": 1, \"priority\": \"high\"}",
                "",
                "[\"send_email\", {\"to\": \"b@example.com\"}]",
                "42") + "\n");

        Run run = cli("submit-many", file.toString(), "--db", db.toString(), "--allow-unknown-types");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("line 2: malformed JSON")
                .contains("line 3: missing \"type\"")
                .contains("line 4: \"priority\" must be an integer, not the string \"high\"")
                .contains("line 7: an item must be an object {\"type\": ..., \"payload\": ...} or a pair "
                        + "[\"type\", payload], not the number 42");
        assertThat(run.out()).contains("Submitted 2 of 6 tasks").contains("failed:       4 (lines 2, 3, 4, 7");

        Run json = cli("submit-many", file.toString(), "--db", db.toString(), "--allow-unknown-types", "--json");
        assertThat(json.exit()).isEqualTo(1);
        JsonNode errors = json.json().get("errors");
        assertThat(errors).hasSize(4);
        assertThat(errors.get(0).get("line").asInt()).isEqualTo(2);
        assertThat(errors.get(1).get("message").asText()).isEqualTo("missing \"type\"");
    }

    @Test
    void tasksAreReadFromStdin() throws Exception {
        Run run = cliWithInput("{\"type\":\"send_email\",\"payload\":1}\n{\"type\":\"send_email\",\"payload\":2}\n"
                + "{\"type\":\"send_email\",\"payload\":3}\n",
                "submit-many", "-", "--db", db.toString(), "--allow-unknown-types", "--json", "--chunk-size", "2");

        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(run.json().get("submitted").asInt()).isEqualTo(3);
    }

    @Test
    void theDemoRunsItsTasksAndTypesAreCheckedAgainstTheStore() throws Exception {
        Run demo = cli("demo", "--db", db.toString(), "--tasks", "2000", "--chunk-size", "500");

        assertThat(demo.exit()).as(demo.err()).isEqualTo(0);
        assertThat(demo.out()).contains("submitted:    2,000").contains("deduplicated: 0").contains("failed:       0")
                .contains("2,000 tasks ran in").contains("2000 succeeded").contains("batch:");

        // demo_noop was registered by the demo's workers; send_email by nobody in this store
        Path file = write("mixed.jsonl", "{\"type\": \"demo_noop\", \"payload\": 1, \"delaySeconds\": 600}\n"
                + "{\"type\": \"send_email\", \"payload\": {}}\n");
        Run run = cli("submit-many", file.toString(), "--db", db.toString(), "--json");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("line 2: unknown task type 'send_email': no application using this store "
                + "registered it (registered: [demo_noop]); --allow-unknown-types submits it anyway");
        assertThat(run.json().get("submitted").asInt()).isEqualTo(1);

        Run stats = cli("stats", "--db", db.toString(), "--json");
        assertThat(stats.exit()).isEqualTo(0);
        assertThat(stats.json().at("/byType/demo_noop/SUCCEEDED").asInt()).isEqualTo(2000);
        assertThat(stats.json().at("/byState/SCHEDULED").asInt()).isEqualTo(1);
        Run text = cli("stats", "--db", db.toString());
        assertThat(text.out()).contains("tasks: 2,001").contains("SUCCEEDED").contains("demo_noop");
    }

    @Test
    void tasksAndGroupsCanBeCancelled() throws Exception {
        Path file = write("later.jsonl", "{\"type\": \"send_email\", \"payload\": 1, \"delaySeconds\": 600}\n"
                + "{\"type\": \"send_email\", \"payload\": 2, \"delaySeconds\": 600}\n"
                + "{\"type\": \"send_email\", \"payload\": 3, \"delaySeconds\": 600}\n");
        Run submitted = cli("submit-many", file.toString(), "--db", db.toString(), "--allow-unknown-types",
                "--group", "later", "--json");
        String id = submitted.json().get("taskIds").get(0).asText();

        Run cancel = cli("cancel", id, "--db", db.toString());
        assertThat(cancel.exit()).as(cancel.err()).isEqualTo(0);
        assertThat(cancel.out()).contains("task " + id + ": cancel done (state CANCELLED)");
        assertThat(cli("status", id, "--db", db.toString(), "--json").json().get("state").asText())
                .isEqualTo("CANCELLED");
        assertThat(cli("cancel", id, "--db", db.toString()).exit()).isEqualTo(1);

        Run group = cli("cancel", "--group", "later", "--db", db.toString());
        assertThat(group.exit()).isEqualTo(0);
        assertThat(group.out()).contains("group later: 2 task(s) cancelled");

        assertThat(cli("cancel", "999999", "--db", db.toString()).exit()).isEqualTo(3);
        assertThat(cli("status", "999999", "--db", db.toString()).err()).contains("no task with id 999999");
        assertThat(cli("group", "nope", "--db", db.toString()).exit()).isEqualTo(3);
    }

    @Test
    void anImportKilledMidwayIsResumedByTheSameCommandAndWritesEachTaskOnce() throws Exception {
        // 100,000 lines: every tenth shares a dedup key with the one before it, line 77,777 is broken
        Path file = lines("import.jsonl", 100_000, i -> i == 77_777 ? "{\"type\": \"send_email\", \"payload\": "
                : "{\"type\":\"send_email\",\"payload\":{\"n\":" + i + "},\"dedupKey\":\"row-"
                        + (i % 10 == 0 ? i - 1 : i) + "\",\"delaySeconds\":600}");
        Path whole = dir.resolve("whole.db");
        Run uninterrupted = cli("submit-many", file.toString(), "--db", whole.toString(), "--allow-unknown-types",
                "--chunk-size", "1000", "--resume", "--json");
        assertThat(uninterrupted.exit()).as(uninterrupted.err()).isEqualTo(1);
        assertThat(uninterrupted.json().get("submitted").asInt()).isEqualTo(89_999);
        assertThat(uninterrupted.json().get("deduplicated").asInt()).isEqualTo(10_000);

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", System.getProperty("taskqueue.cli.jar"), "submit-many", file.toString(), "--db",
                db.toString(), "--allow-unknown-types", "--chunk-size", "1000", "--resume", "--json"));
        Process killed = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long written = 0;
        for (int i = 0; i < 6000 && written < 20_000; i++) {
            Thread.sleep(10);
            written = countIfCreated(db);
        }
        killed.destroyForcibly(); // SIGKILL: no shutdown hook, the chunk being written is rolled back
        assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long afterKill = count(db, "SELECT count(*) FROM tq_task");
        assertThat(afterKill).as("killed midway").isBetween(20_000L, 89_998L);

        Run resumed = cli("submit-many", file.toString(), "--db", db.toString(), "--allow-unknown-types",
                "--chunk-size", "1000", "--resume", "--json");

        assertThat(resumed.exit()).as(resumed.err()).isEqualTo(1);
        JsonNode outcome = resumed.json();
        for (String field : List.of("submissionId", "read", "submitted", "deduplicated", "superseded", "failed",
                "errors")) {
            assertThat(outcome.get(field)).as(field).isEqualTo(uninterrupted.json().get(field));
        }
        assertThat(outcome.get("errors").get(0).get("line").asInt()).isEqualTo(77_777);
        assertThat(count(db, "SELECT count(*) FROM tq_task")).isEqualTo(89_999);
        assertThat(count(db, "SELECT count(DISTINCT dedup_key) FROM tq_task")).isEqualTo(89_999);
        // the outcome lists the ids of the tasks as they are stored, the ones written before the kill too
        assertThat(outcome.get("taskIds").get(0).asLong()).isEqualTo(count(db, "SELECT min(id) FROM tq_task"));

        Run again = cli("submit-many", file.toString(), "--db", db.toString(), "--allow-unknown-types",
                "--chunk-size", "1000", "--resume");
        assertThat(again.out()).contains("Submitted 89,999 of 100,000 tasks")
                .contains("submission:   " + outcome.get("submissionId").asText());
        assertThat(count(db, "SELECT count(*) FROM tq_task")).isEqualTo(89_999);
    }

    @Test
    void aSubmissionIdCannotBeReusedForOtherTasks() throws Exception {
        Path first = write("first.jsonl", "[\"send_email\", 1]\n[\"send_email\", 2]\n");
        Path other = write("other.jsonl", "[\"send_email\", 1]\n[\"send_email\", 3]\n");
        assertThat(cli("submit-many", first.toString(), "--db", db.toString(), "--allow-unknown-types",
                "--submission-id", "import-7").exit()).isEqualTo(0);

        Run reused = cli("submit-many", other.toString(), "--db", db.toString(), "--allow-unknown-types",
                "--submission-id", "import-7");

        assertThat(reused.exit()).isEqualTo(2);
        assertThat(reused.err()).contains("Submission id \"import-7\" was used before for other tasks");
        assertThat(count(db, "SELECT count(*) FROM tq_task")).isEqualTo(2);
        assertThat(cliWithInput("[\"send_email\", 1]\n", "submit-many", "-", "--db", db.toString(), "--resume")
                .err()).contains("--resume needs a file");
    }

    @Test
    void aCallbackAttachedToAGroupIsQueuedWhenTheGroupIsDone() throws Exception {
        Path file = write("group.jsonl", "{\"type\": \"send_email\", \"payload\": 1, \"delaySeconds\": 600}\n"
                + "{\"type\": \"send_email\", \"payload\": 2, \"delaySeconds\": 600}\n");
        cli("submit-many", file.toString(), "--db", db.toString(), "--allow-unknown-types", "--group", "report-7");

        Run unknown = cli("group", "report-7", "--on-complete", "mail_report", "report-7", "--db", db.toString());
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown task type 'mail_report'");
        assertThat(cli("group", "nope", "--on-complete", "mail_report", "x", "--db", db.toString(),
                "--allow-unknown-types").exit()).isEqualTo(3);

        Run attached = cli("group", "report-7", "--on-complete", "mail_report", "report-7", "--db", db.toString(),
                "--allow-unknown-types", "--json");
        assertThat(attached.exit()).as(attached.err()).isEqualTo(0);
        String id = attached.json().get("id").asText();
        JsonNode held = cli("status", id, "--db", db.toString(), "--json").json();
        assertThat(held.get("state").asText()).isEqualTo("SCHEDULED");
        assertThat(held.path("groupId").asText(null)).as("not a member of the group").isNull();

        assertThat(cli("cancel", "--group", "report-7", "--db", db.toString()).exit()).isEqualTo(0);

        JsonNode queued = cli("status", id, "--db", db.toString(), "--json").json();
        assertThat(queued.get("state").asText()).isEqualTo("QUEUED");
        assertThat(count(db, "SELECT count(*) FROM tq_task WHERE id = " + id + " AND payload = '\"report-7\"'"))
                .isEqualTo(1);
    }

    /** The database of PostgreSQL on this machine that no test suite empties (integration-tests use "test"). */
    static final String PG = "postgresql://postgres@127.0.0.1:5432/postgres";

    @Test
    void pgWorksOnAPostgresqlStore() throws Exception {
        Assumptions.assumeTrue(postgresqlListens(), "needs PostgreSQL on 127.0.0.1:5432");
        String type = "cli_pg_" + System.nanoTime();
        String group = "cli-pg-" + System.nanoTime();
        Path file = write("pg.jsonl", "{\"type\": \"" + type + "\", \"payload\": 1, \"groupId\": \"" + group + "\"}\n"
                + "[\"" + type + "\", 2]\n{\"type\": \"" + type + "\", \"payload\": 3, \"groupId\": \"" + group
                + "\"}\n");

        Run run = cli("submit-many", file.toString(), "--pg", PG, "--allow-unknown-types", "--json");
        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(run.json().get("submitted").asInt()).isEqualTo(3);
        String id = run.json().get("taskIds").get(1).asText();

        JsonNode task = cli("status", id, "--pg", PG, "--json").json();
        assertThat(task.get("taskType").asText()).isEqualTo(type);
        assertThat(task.get("state").asText()).isEqualTo("QUEUED");
        assertThat(cli("stats", "--pg", PG, "--json").json().at("/byType/" + type + "/QUEUED").asInt()).isEqualTo(3);
        assertThat(cli("group", group, "--pg", PG).out()).contains("total:          2");

        Run cancel = cli("cancel", id, "--pg", PG);
        assertThat(cancel.exit()).as(cancel.err()).isEqualTo(0);
        assertThat(cli("status", id, "--pg", PG, "--json").json().get("state").asText()).isEqualTo("CANCELLED");
        assertThat(cli("cancel", "--group", group, "--pg", PG).out()).contains("group " + group + ": 2 task(s) cancelled");
        assertThat(dir.resolve("taskqueue.db")).doesNotExist();

        Run bad = cli("stats", "--pg", "mysql://nowhere");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("--pg mysql://nowhere");
    }

    private static boolean postgresqlListens() {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", 5432), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void readOnlyCommandsWriteNothingToTheStore() throws Exception {
        Path file = write("grouped.jsonl", "{\"type\": \"send_email\", \"payload\": 1, \"delaySeconds\": 600}\n");
        String id = cli("submit-many", file.toString(), "--db", db.toString(), "--allow-unknown-types",
                "--group", "live", "--json").json().get("taskIds").get(0).asText();
        // as if a live application (this test's JVM) were still adding to the group; every write is logged
        String liveWriter = InetAddress.getLocalHost().getHostName().replace('/', '_') + "/"
                + ProcessHandle.current().pid() + "/test";
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("UPDATE tq_group SET open_submissions = 1 WHERE id = 'live'");
            s.execute("INSERT INTO tq_group_writer (group_id, owner, open) VALUES ('live', '" + liveWriter + "', 1)");
            s.execute("CREATE TABLE test_writes (what TEXT)");
            for (String table : List.of("tq_task", "tq_group", "tq_group_writer", "tq_ready", "tq_parked", "tq_handler",
                    "tq_submission", "tq_receipt", "tq_meta")) {
                for (String op : List.of("INSERT", "UPDATE", "DELETE")) {
                    s.execute("CREATE TRIGGER test_" + table + "_" + op + " AFTER " + op + " ON " + table
                            + " BEGIN INSERT INTO test_writes VALUES ('" + op + " " + table + "'); END");
                }
            }
        }

        assertThat(cli("stats", "--db", db.toString()).exit()).isEqualTo(0);
        assertThat(cli("status", id, "--db", db.toString()).exit()).isEqualTo(0);
        cli("group", "live", "--db", db.toString());

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT group_concat(what, ', ') FROM test_writes")) {
            rs.next();
            assertThat(rs.getString(1)).as("writes by read-only commands").isNull();
        }
    }

    @Test
    void usageAndIoErrorsExitWith2() throws Exception {
        Run missing = cli("submit-many", dir.resolve("nope.json").toString(), "--db", db.toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file: ");

        Run noFile = cli("submit-many", "--db", db.toString());
        assertThat(noFile.exit()).isEqualTo(2);
        assertThat(noFile.err()).contains("Missing required parameter: 'FILE|-'");

        Run badOption = cli("submit-many", "-", "--on-duplicate", "maybe", "--db", db.toString());
        assertThat(badOption.exit()).isEqualTo(2);
        assertThat(badOption.err()).contains("--on-duplicate");
    }

    @Test
    void withoutDbTheDefaultStoreFileIsUsed() throws Exception {
        Run run = cliWithInput("[\"send_email\", 1]\n", "submit-many", "-", "--allow-unknown-types");

        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(dir.resolve("taskqueue.db")).exists();
        assertThat(db).doesNotExist();
    }

    @Test
    void aMillionLinesAreSubmittedWithASmallHeap() throws Exception {
        Path file = dir.resolve("million.jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < 1_000_000; i++) {
                w.write("{\"type\":\"send_email\",\"payload\":{\"n\":" + i + "}}\n");
            }
        }

        Run run = run(List.of("-Xmx64m"), null, "submit-many", file.toString(), "--db", db.toString(),
                "--allow-unknown-types", "--json");

        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(run.json().get("submitted").asInt()).isEqualTo(1_000_000);
        assertThat(run.json().get("taskIds")).hasSize(1000);
        assertThat(run.json().get("taskIdsTruncated").asBoolean()).isTrue();
    }

    @Test
    void withUrlTasksGoThroughTheRestApiOfARunningApplication() throws Exception {
        try (App server = startApp(dir.resolve("app.db"))) {
            String url = server.url();
            Path file = write("remote.jsonl", "{\"type\": \"add\", \"payload\": [2, 3]}\n"
                    + "{\"type\": \"nope\", \"payload\": 1}\nbroken\n[\"noop\", 4]\n");

            Run run = cli("submit-many", file.toString(), "--url", url, "--json");

            assertThat(run.exit()).as(run.err()).isEqualTo(1);
            JsonNode outcome = run.json();
            assertThat(outcome.get("submitted").asInt()).isEqualTo(2);
            assertThat(outcome.get("errors").get(0).get("line").asInt()).isEqualTo(2);
            assertThat(outcome.get("errors").get(0).get("message").asText()).contains("unknown task type 'nope'");
            assertThat(outcome.get("errors").get(1).get("line").asInt()).isEqualTo(3);
            assertThat(outcome.get("errors").get(1).get("message").asText()).startsWith("malformed JSON");
            String id = outcome.get("taskIds").get(0).asText();

            JsonNode task = null;
            for (int i = 0; i < 100; i++) {
                task = cli("status", id, "--url", url, "--json").json();
                if ("SUCCEEDED".equals(task.get("state").asText())) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(task.get("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(task.get("value").asInt()).isEqualTo(5);
            assertThat(cli("status", "999999", "--url", url).exit()).isEqualTo(3);
            assertThat(cli("stats", "--url", url, "--json").json().at("/byType/add/SUCCEEDED").asInt()).isEqualTo(1);
            assertThat(dir.resolve("taskqueue.db")).doesNotExist();
        }
    }

    @Test
    void withUrlASubmissionIdIsAnIdempotencyKeyAndACallbackIsAttached() throws Exception {
        try (App server = startApp(dir.resolve("app.db"))) {
            String url = server.url();
            Path file = write("remote-group.jsonl", "[\"noop\", 1]\n[\"noop\", 2]\n[\"noop\", 3]\n");

            Run first = cli("submit-many", file.toString(), "--url", url, "--group", "remote-7", "--submission-id",
                    "remote-import-7", "--json");
            Run second = cli("submit-many", file.toString(), "--url", url, "--group", "remote-7", "--submission-id",
                    "remote-import-7", "--json");

            assertThat(first.exit()).as(first.err()).isEqualTo(0);
            assertThat(second.exit()).as(second.err()).isEqualTo(0);
            assertThat(second.json().get("taskIds")).isEqualTo(first.json().get("taskIds"));
            assertThat(second.json().get("batchId")).isEqualTo(first.json().get("batchId"));
            assertThat(server.get("/taskqueue/groups/remote-7").get("total").asInt()).isEqualTo(3);

            Run attached = cli("group", "remote-7", "--on-complete", "group_done", "remote-7", "--url", url,
                    "--json");
            assertThat(attached.exit()).as(attached.err()).isEqualTo(0);
            JsonNode callback = server.awaitFinal(attached.json().get("id").asText());
            assertThat(callback.get("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(callback.get("taskType").asText()).isEqualTo("group_done");
            assertThat(cli("group", "nope", "--on-complete", "group_done", "nope", "--url", url).exit()).isEqualTo(3);
        }
    }

    @Test
    void aPayloadByParameterNameSubmittedToAStoreFileRunsInTheApplication() throws Exception {
        // the CLI does not know the handler add(int a, int b): it stores the payload as given, and the
        // application that owns the store runs it
        Path store = dir.resolve("shared.db");
        Path file = write("by-name.jsonl", "{\"type\": \"add\", \"payload\": {\"a\": 1, \"b\": 2}}\n"
                + "{\"type\": \"add\", \"payload\": {\"a\": 1, \"c\": 2}}\n"
                + "{\"type\": \"add\", \"payload\": {\"a\": 1}}\n");
        Run run = cli("submit-many", file.toString(), "--db", store.toString(), "--allow-unknown-types", "--json");
        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        JsonNode ids = run.json().get("taskIds");
        assertThat(ids).hasSize(3);

        try (App server = startApp(store)) {
            JsonNode added = server.awaitFinal(ids.get(0).asText());
            assertThat(added.get("state").asText()).as(added.toString()).isEqualTo("SUCCEEDED");
            assertThat(added.get("value").asInt()).isEqualTo(3);

            JsonNode unknownName = server.awaitFinal(ids.get(1).asText());
            assertThat(unknownName.get("state").asText()).isEqualTo("FAILED");
            assertThat(unknownName.get("error").asText()).contains("no parameter named 'c'")
                    .contains("(parameters: [a, b])");

            JsonNode missingName = server.awaitFinal(ids.get(2).asText());
            assertThat(missingName.get("state").asText()).isEqualTo("FAILED");
            assertThat(missingName.get("error").asText()).contains("no value for parameter 'b'");
        }
    }

    @Test
    void aMillionBadLinesAreCountedAndTheFirstListedWithASmallHeap() throws Exception {
        Path file = lines("unknown.jsonl", 1_000_000, i -> "{\"type\":\"nope\",\"payload\":" + i + "}");

        // without --allow-unknown-types the CLI rejects each line itself: nothing registered 'nope' in this store
        Run run = run(List.of("-Xmx64m"), null, "submit-many", file.toString(), "--db", db.toString(), "--json");

        assertCapped(run, 1_000_000, "unknown task type 'nope': no application using this store registered it");
    }

    @Test
    void aMillionLinesRejectedByTheApplicationAreCountedAndTheFirstListedWithASmallHeap() throws Exception {
        // NDJSON bodies are limited by quarkus.http.limits.max-body-size only (10M by default); this one is 33 MB
        try (App server = startApp(dir.resolve("app.db"), "-Dquarkus.http.limits.max-body-size=100M")) {
            Path file = lines("unknown.jsonl", 1_000_000, i -> "{\"type\":\"nope\",\"payload\":" + i + "}");

            // with --url every line is sent, and the application rejects each task of each chunk
            Run run = run(List.of("-Xmx64m"), null, "submit-many", file.toString(), "--url", server.url(),
                    "--json");

            assertCapped(run, 1_000_000, "unknown task type 'nope'");
        }
    }

    /** Every line failed: the first {@value #LISTED} are listed by line and reported on stderr, all are counted. */
    private static void assertCapped(Run run, int failed, String reason) throws IOException {
        assertThat(run.err().contains("OutOfMemoryError")).as(tail(run.err())).isFalse();
        assertThat(run.exit()).as(tail(run.err())).isEqualTo(1);
        JsonNode outcome = run.json();
        assertThat(outcome.get("read").asLong()).isEqualTo(failed);
        assertThat(outcome.get("submitted").asLong()).isZero();
        assertThat(outcome.get("failed").asLong()).isEqualTo(failed);
        assertThat(outcome.get("errorsTruncated").asBoolean()).isTrue();
        JsonNode errors = outcome.get("errors");
        assertThat(errors).hasSize(LISTED);
        for (int i = 0; i < LISTED; i++) {
            assertThat(errors.get(i).get("line").asLong()).isEqualTo(i + 1);
            assertThat(errors.get(i).get("message").asText()).contains(reason);
        }
        assertThat(reportedLines(run.err())).hasSize(LISTED);
        assertThat(run.err()).contains("taskqueue: more than 1,000 failures; the others are only counted");
    }

    @Test
    void aMixedInputIsSubmittedAndItsFailuresListedByLine() throws Exception {
        Path file = lines("mixed.jsonl", MIXED_LINES, CliIT::mixedLine);

        Run run = run(List.of("-Xmx64m"), null, "submit-many", file.toString(), "--db", db.toString(),
                "--allow-unknown-types", "--chunk-size", "100", "--json");

        assertMixed(run);
        assertThat(cli("stats", "--db", db.toString(), "--json").json().get("total").asLong())
                .isEqualTo(MIXED_LINES - mixedFailures().size());

        Run text = cli("submit-many", file.toString(), "--db", dir.resolve("text.db").toString(),
                "--allow-unknown-types", "--chunk-size", "100");
        assertThat(text.exit()).isEqualTo(1);
        assertThat(text.out()).contains("Submitted " + String.format("%,d", MIXED_LINES - mixedFailures().size())
                + " of " + String.format("%,d", MIXED_LINES) + " tasks")
                .contains("failed:       " + String.format("%,d", mixedFailures().size())
                        + " (lines 7, 11, 14, 21, 22, ")
                .contains(", ..., reasons of the first 1,000 found on stderr)");
    }

    @Test
    void aMixedInputIsSubmittedThroughTheApplicationAndItsFailuresListedByLine() throws Exception {
        try (App server = startApp(dir.resolve("app.db"))) {
            Path file = lines("mixed.jsonl", MIXED_LINES, CliIT::mixedLine);

            Run run = run(List.of("-Xmx64m"), null, "submit-many", file.toString(), "--url", server.url(),
                    "--chunk-size", "100", "--json");

            assertMixed(run);
            assertThat(server.get("/taskqueue/stats").get("total").asLong())
                    .isEqualTo(MIXED_LINES - mixedFailures().size());
        }
    }

    @Test
    void withUrlTheItemsOfAJsonArrayAreReportedByTheirOwnLines() throws Exception {
        try (App server = startApp(dir.resolve("app.db"))) {
            // items that share a line, a line of its own after blank lines, and the last item on the closing line
            Path file = write("array.json", String.join("\n",
                    "[{\"type\": \"noop\", \"payload\": 1}, {\"type\": \"nope\", \"payload\": 2},",
                    " {\"type\": \"noop\", \"payload\": 3},",
                    " [\"nope\", 4], [\"nope\", 5], [\"noop\", 6],",
                    "",
                    " [\"nope\", 7],",
                    "", "", "", "", "", "",
                    " {\"type\": \"nope\", \"payload\": 8}, [\"noop\", 9]]") + "\n");

            Run run = cli("submit-many", file.toString(), "--url", server.url(), "--json", "--chunk-size", "2");

            assertThat(run.exit()).as(run.err()).isEqualTo(1);
            JsonNode outcome = run.json();
            assertThat(outcome.get("submitted").asInt()).isEqualTo(4);
            assertThat(outcome.get("failed").asInt()).isEqualTo(5);
            assertThat(outcome.get("errors").findValues("line")).extracting(JsonNode::asInt)
                    .containsExactly(1, 3, 3, 5, 12);
            assertThat(run.err()).contains("line 1: unknown task type 'nope'").contains("line 12: unknown task type");
        }
    }

    static final int LISTED = 1000;
    static final int MIXED_LINES = 20_000;

    /**
     * Line {@code i} (from 1) of the mixed input: broken JSON every 7th line (rejected as it is read), a dedup
     * key that is too long every 11th (rejected when its chunk is written), else a task due in ten minutes.
     */
    static String mixedLine(int i) {
        if (i % 7 == 0) {
            return "broken";
        }
        if (i % 11 == 0) {
            return "{\"type\":\"noop\",\"payload\":" + i + ",\"dedupKey\":\"" + "k".repeat(513) + "\"}";
        }
        return "{\"type\":\"noop\",\"payload\":" + i + ",\"delaySeconds\":600}";
    }

    static List<Integer> mixedFailures() {
        return IntStream.rangeClosed(1, MIXED_LINES).filter(i -> i % 7 == 0 || i % 11 == 0).boxed().toList();
    }

    private static void assertMixed(Run run) throws IOException {
        List<Integer> failures = mixedFailures();
        assertThat(run.err().contains("OutOfMemoryError")).as(tail(run.err())).isFalse();
        assertThat(run.exit()).as(tail(run.err())).isEqualTo(1);
        JsonNode outcome = run.json();
        assertThat(outcome.get("read").asLong()).isEqualTo(MIXED_LINES);
        assertThat(outcome.get("submitted").asLong()).isEqualTo(MIXED_LINES - failures.size());
        assertThat(outcome.get("failed").asLong()).isEqualTo(failures.size());
        assertThat(outcome.get("errorsTruncated").asBoolean()).isTrue();
        JsonNode errors = outcome.get("errors");
        assertThat(errors).hasSize(LISTED);
        for (int i = 0; i < LISTED; i++) {
            int line = failures.get(i);
            assertThat(errors.get(i).get("line").asInt()).as("failure %d", i).isEqualTo(line);
            assertThat(errors.get(i).get("message").asText()).as("line %d", line).startsWith(line % 7 == 0
                    ? "malformed JSON" : "the dedup key is 513 characters long");
        }
        // what stderr reports are failures the summary counts, each under its own line number
        List<Integer> reported = reportedLines(run.err());
        assertThat(reported).hasSize(LISTED).doesNotHaveDuplicates();
        assertThat(failures).containsAll(reported);
    }

    static long count(Path store, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery(sql)) {
            return rows.next() ? rows.getLong(1) : 0;
        }
    }

    /** The tasks stored so far, 0 while the file or its schema is still being created. */
    static long countIfCreated(Path store) {
        try {
            return Files.exists(store) ? count(store, "SELECT count(*) FROM tq_task") : 0;
        } catch (Exception notYet) {
            return 0;
        }
    }

    /** The line numbers that stderr reports a failure for. */
    static List<Integer> reportedLines(String err) {
        return err.lines().filter(l -> l.matches("line \\d+: .*"))
                .map(l -> Integer.parseInt(l.substring(5, l.indexOf(':')))).toList();
    }

    static String tail(String text) {
        return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
    }

    Path lines(String name, int count, IntFunction<String> line) throws IOException {
        Path file = dir.resolve(name);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 1; i <= count; i++) {
                w.write(line.apply(i));
                w.write('\n');
            }
        }
        return file;
    }

    /** The packaged integration-tests application, serving its REST API on a store file. */
    record App(Process process, String url) implements AutoCloseable {

        JsonNode get(String path) throws Exception {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url + path)).build(), HttpResponse.BodyHandlers.ofString());
            return MAPPER.readTree(response.body());
        }

        JsonNode awaitFinal(String id) throws Exception {
            long deadline = System.currentTimeMillis() + 30_000;
            while (true) {
                JsonNode task = get("/taskqueue/tasks/" + id);
                String state = task.path("state").asText();
                if (List.of("SUCCEEDED", "FAILED", "CANCELLED", "SUPERSEDED").contains(state)
                        || System.currentTimeMillis() > deadline) {
                    return task;
                }
                Thread.sleep(50);
            }
        }

        boolean alive() {
            return process.isAlive();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    App startApp(Path store, String... jvmOptions) throws Exception {
        Path app = Path.of(System.getProperty("taskqueue.app.jar", "missing"));
        Assumptions.assumeTrue(Files.exists(app), "the integration-tests application is built first in a full build");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-Dquarkus.taskqueue.sqlite.path=" + store, "-jar",
                app.toString()));
        Process server = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("app-" + port + ".log").toFile()).start();
        App started = new App(server, "http://localhost:" + port);
        try {
            awaitUp(started.url(), server);
        } catch (Throwable e) {
            started.close();
            throw e;
        }
        return started;
    }

    private void awaitUp(String url, Process server) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 300 && server.isAlive(); i++) {
            try {
                http.send(HttpRequest.newBuilder(URI.create(url + "/taskqueue/stats")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the application at " + url + " did not start; see the app-*.log in " + dir);
    }

    @Test
    void theLauncherScriptRunsTheJar() throws Exception {
        Process p = new ProcessBuilder(System.getProperty("taskqueue.cli.script"), "--help").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(0);
        assertThat(out).contains("submit-many").contains("demo").contains("Exit codes: 0 done");
    }

    // ---------------------------------------------------------------- running the command

    Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    Run cli(String... args) throws Exception {
        return run(List.of(), null, args);
    }

    Run cliWithInput(String stdin, String... args) throws Exception {
        return run(List.of(), stdin, args);
    }

    Run run(List<String> jvmOptions, String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(System.getProperty("taskqueue.cli.jar"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("taskqueue " + String.join(" ", args) + " did not finish; stderr: " + err.join());
        }
        return new Run(p.exitValue(), out.get(), err.get());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
