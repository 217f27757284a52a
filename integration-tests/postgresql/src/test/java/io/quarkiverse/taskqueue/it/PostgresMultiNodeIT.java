package io.quarkiverse.taskqueue.it;

import static io.quarkiverse.taskqueue.it.FreshDatabase.execute;
import static io.quarkiverse.taskqueue.it.FreshDatabase.queryLong;
import static io.quarkiverse.taskqueue.it.NodeProcess.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several nodes on one database: three processes of the packaged test application drain, lose a node, and race
 * on dedup keys. Each handler run is recorded in {@code it_execution} (task, attempt, node).
 */
class PostgresMultiNodeIT {

    static final int SUCCEEDED = 4;
    static final int RUNNING = 2;

    @BeforeEach
    void freshDatabase() {
        execute(FreshDatabase.END_OTHERS);
        execute(FreshDatabase.DROP);
        execute("DROP TABLE IF EXISTS it_execution");
        execute("CREATE TABLE it_execution (task_id bigint NOT NULL, attempt int NOT NULL, node text NOT NULL)");
    }

    @Test
    void threeNodesDrainThirtyThousandTasksEachOnce() throws Exception {
        int tasks = 30_000;
        try (NodeProcess a = NodeProcess.start("a", "it.scenario=idle");
                NodeProcess b = NodeProcess.start("b", "it.scenario=idle")) {
            a.scenarioLine(Duration.ofSeconds(60));
            b.scenarioLine(Duration.ofSeconds(60));
            try (NodeProcess c = NodeProcess.start("c", "it.scenario=drain", "it.count=" + tasks)) {
                assertThat(c.scenarioLine(Duration.ofSeconds(60))).isEqualTo("SCENARIO submitted=" + tasks);
                awaitTrue(Duration.ofSeconds(120), "every task succeeded",
                        () -> queryLong("SELECT count(*) FROM tq_task WHERE state = " + SUCCEEDED) == tasks);
            }
        }
        assertThat(queryLong("SELECT count(*) FROM it_execution")).as("no task ran twice").isEqualTo(tasks);
        assertThat(queryLong("SELECT count(DISTINCT task_id) FROM it_execution")).isEqualTo(tasks);
        assertThat(queryLong("SELECT count(DISTINCT node) FROM it_execution"))
                .as("the nodes woken by NOTIFY ran tasks too").isEqualTo(3);
    }

    @Test
    void aNodeKilledMidDrainHasItsTasksRunByTheOthers() throws Exception {
        int tasks = 30_000;
        String lease = "quarkus.taskqueue.lease-duration=3s";
        try (NodeProcess a = NodeProcess.start("a", "it.scenario=idle", lease);
                NodeProcess b = NodeProcess.start("b", "it.scenario=idle", lease)) {
            a.scenarioLine(Duration.ofSeconds(60));
            b.scenarioLine(Duration.ofSeconds(60));
            try (NodeProcess victim = NodeProcess.start("victim", "it.scenario=drain", "it.count=" + tasks, lease)) {
                victim.scenarioLine(Duration.ofSeconds(60));
                awaitTrue(Duration.ofSeconds(60), "the victim ran some tasks",
                        () -> queryLong("SELECT count(*) FROM it_execution WHERE node = 'victim'") >= 500);
                victim.kill();
            }
            assertThat(queryLong("SELECT count(*) FROM tq_task WHERE state = " + SUCCEEDED)).isLessThan(tasks);
            awaitTrue(Duration.ofSeconds(120), "every task succeeded",
                    () -> queryLong("SELECT count(*) FROM tq_task WHERE state = " + SUCCEEDED) == tasks);
        }
        assertThat(queryLong("SELECT count(*) FROM tq_task WHERE state = " + RUNNING)).isZero();
        assertThat(queryLong("SELECT count(DISTINCT task_id) FROM it_execution")).isEqualTo(tasks);
        // at-least-once: only a task the victim was running may have run again, in a later attempt
        assertThat(queryLong("SELECT count(*) FROM (SELECT task_id FROM it_execution GROUP BY task_id "
                + "HAVING count(*) > 1 AND NOT bool_or(node = 'victim')) twice")).isZero();
        assertThat(queryLong("SELECT count(*) FROM (SELECT task_id, attempt FROM it_execution GROUP BY task_id, attempt "
                + "HAVING count(*) > 1) sameAttempt")).as("no attempt ran twice").isZero();
    }

    @Test
    void tasksStillRunningAtShutdownGoBackToTheQueueWithoutCountingTheAttempt() throws Exception {
        try (NodeProcess node = NodeProcess.start("a", "it.scenario=sleepers", "it.count=4",
                "quarkus.taskqueue.shutdown-timeout=500ms")) {
            assertThat(node.scenarioLine(Duration.ofSeconds(60))).isEqualTo("SCENARIO submitted=4");
            awaitTrue(Duration.ofSeconds(30), "the tasks are running",
                    () -> queryLong("SELECT count(*) FROM tq_task WHERE state = " + RUNNING) == 4);
            node.close(); // SIGTERM
        }
        assertThat(queryLong("SELECT count(*) FROM tq_task WHERE state = 1 AND attempts = 0 AND owner IS NULL"))
                .as("released, not left RUNNING until their lease expires").isEqualTo(4);
    }

    @Test
    void aDatabaseRestartMidDrainLosesNothingAndReadinessIsDownMeanwhile() throws Exception {
        Path clusters = Path.of("/etc/postgresql");
        Assumptions.assumeTrue(Files.isDirectory(clusters), "needs a local PostgreSQL cluster to restart");
        String version;
        try (var versions = Files.list(clusters)) {
            version = versions.map(v -> v.getFileName().toString()).sorted().findFirst().orElseThrow();
        }
        int tasks = 30_000;
        try (NodeProcess node = NodeProcess.start("a", "it.scenario=drain", "it.count=" + tasks)) {
            node.scenarioLine(Duration.ofSeconds(60));
            awaitTrue(Duration.ofSeconds(60), "some tasks ran",
                    () -> queryLong("SELECT count(*) FROM it_execution") >= 1_000);
            assertThat(node.httpStatus("/q/health/ready")).as("ready before the stop").isEqualTo(200);
            pgCtl(version, "stop");
            try {
                awaitTrue(Duration.ofSeconds(30), "readiness DOWN while the database is stopped",
                        () -> node.httpStatus("/q/health/ready") == 503);
            } finally {
                pgCtl(version, "start");
            }
            awaitTrue(Duration.ofSeconds(60), "readiness UP again after the database is back",
                    () -> node.httpStatus("/q/health/ready") == 200);
            awaitTrue(Duration.ofSeconds(120), "every task succeeded after the restart",
                    () -> queryLong("SELECT count(*) FROM tq_task WHERE state = " + SUCCEEDED) == tasks);
        }
        assertThat(queryLong("SELECT count(DISTINCT task_id) FROM it_execution")).isEqualTo(tasks);
        assertThat(queryLong("SELECT count(*) FROM tq_task WHERE state = " + RUNNING)).isZero();
    }

    private static void pgCtl(String version, String action) throws Exception {
        Process p = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action)
                .inheritIO().start();
        assertThat(p.waitFor()).as("pg_ctlcluster " + action).isZero();
    }

    @Test
    void twoNodesRacingOnTheSameDedupKeysKeepOneActiveTaskPerKey() throws Exception {
        Path marker = Path.of("target", "dedup-go-" + System.nanoTime());
        String[] common = { "it.scenario=dedup", "it.count=10000", "it.marker=" + marker,
                "quarkus.taskqueue.worker.enabled=false" };
        try (NodeProcess a = NodeProcess.start("a", append(common, "it.first-key=0"));
                NodeProcess b = NodeProcess.start("b", append(common, "it.first-key=5000"))) {
            a.scenarioLine(Duration.ofSeconds(60));
            b.scenarioLine(Duration.ofSeconds(60));
            Files.createFile(marker);
            long[] outcomeA = outcome(a.scenarioLine(Duration.ofSeconds(60)));
            long[] outcomeB = outcome(b.scenarioLine(Duration.ofSeconds(60)));

            assertThat(outcomeA[2] + outcomeB[2]).as("failed").isZero();
            assertThat(outcomeA[0] + outcomeB[0]).as("submitted").isEqualTo(15_000);
            assertThat(outcomeA[1] + outcomeB[1]).as("deduplicated").isEqualTo(5_000);
        }
        assertThat(queryLong("SELECT count(*) FROM tq_task")).isEqualTo(15_000);
        assertThat(queryLong("SELECT count(DISTINCT dedup_key) FROM tq_task WHERE state < 4")).isEqualTo(15_000);
    }

    @Test
    void twoNodesSubmittingWithOneSubmissionIdAtOnceWriteTheBatchOnceAndAnswerTheSame() throws Exception {
        Path marker = Path.of("target", "submission-go-" + System.nanoTime());
        String[] common = { "it.scenario=same-submission", "it.count=20000", "it.marker=" + marker,
                "quarkus.taskqueue.worker.enabled=false" };
        try (NodeProcess a = NodeProcess.start("a", common); NodeProcess b = NodeProcess.start("b", common)) {
            a.scenarioLine(Duration.ofSeconds(60));
            b.scenarioLine(Duration.ofSeconds(60));
            Files.createFile(marker);
            String outcomeA = a.scenarioLine(Duration.ofSeconds(60));
            String outcomeB = b.scenarioLine(Duration.ofSeconds(60));

            assertThat(outcomeA).startsWith("SCENARIO submitted=18000 deduplicated=2000 ").isEqualTo(outcomeB);
        }
        assertThat(queryLong("SELECT count(*) FROM tq_task")).as("written once").isEqualTo(18_000);
    }

    @Test
    void aGroupWhoseLastTasksFinishOnTwoNodesAtOnceRunsItsCallbackOnce() throws Exception {
        execute("DROP TABLE IF EXISTS it_callback");
        execute("CREATE TABLE it_callback (task_id bigint, node text, total int, succeeded int, done boolean)");
        Path marker = Path.of("target", "gate-open-" + System.nanoTime());
        int tasks = 8;
        // four slots a node: each node holds half of the group's tasks until the marker releases all of them at once
        String[] common = { "it.marker=" + marker, "quarkus.taskqueue.worker.pool-size=4" };
        try (NodeProcess a = NodeProcess.start("a", append(common, "it.scenario=idle"));
                NodeProcess b = NodeProcess.start("b", append(common, "it.scenario=idle"))) {
            a.scenarioLine(Duration.ofSeconds(60));
            b.scenarioLine(Duration.ofSeconds(60));
            try (NodeProcess writer = NodeProcess.start("writer", "it.scenario=callback-group", "it.count=" + tasks,
                    "quarkus.taskqueue.worker.enabled=false")) {
                assertThat(writer.scenarioLine(Duration.ofSeconds(60))).startsWith("SCENARIO callback=");
            }
            awaitTrue(Duration.ofSeconds(60), "both nodes run the group's tasks",
                    () -> queryLong("SELECT count(DISTINCT node) * 100 + count(*) FROM it_execution") == 200 + tasks);
            Files.createFile(marker);
            awaitTrue(Duration.ofSeconds(60), "the callback ran", () -> queryLong("SELECT count(*) FROM it_callback") > 0);
            Thread.sleep(1_000); // time for a second run, which must not come
        }
        assertThat(queryLong("SELECT count(*) FROM it_callback")).as("the callback ran once").isEqualTo(1);
        assertThat(queryLong("SELECT total FROM it_callback")).isEqualTo(tasks);
        assertThat(queryLong("SELECT succeeded FROM it_callback")).isEqualTo(tasks);
        assertThat(queryLong("SELECT count(*) FROM it_callback WHERE done")).isEqualTo(1);
    }

    private static final Pattern OUTCOME = Pattern.compile("SCENARIO submitted=(\\d+) deduplicated=(\\d+) failed=(\\d+)");

    private static long[] outcome(String line) {
        Matcher m = OUTCOME.matcher(line);
        assertThat(m.matches()).as(line).isTrue();
        return new long[] { Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)) };
    }

    private static String[] append(String[] a, String b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = b;
        return r;
    }
}
