package io.quarkiverse.taskqueue.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point. Without {@code --child} this is the orchestrator: it runs each scenario in its own child JVM
 * (a fresh SQLite file, the scenario's configuration as system properties), forwards their output and prints
 * the collected result rows as one table at the end. With {@code --child <mode>} it starts Quarkus and runs
 * {@link BenchApp}.
 *
 * <pre>
 * java -jar bench/target/quarkus-app/quarkus-run.jar [submit] [map] [drain] [latency] [mixed] [durability] [metrics]
 * </pre>
 */
@QuarkusMain
public class BenchMain {

    static final String ROW = "@@";

    private static final List<String> ALL = List.of("submit", "map", "drain", "latency", "mixed", "durability",
            "resume", "live", "stream");

    /** Scenarios that need the build with quarkus-micrometer (bench/target-metrics); not in the default list. */
    private static final List<String> EXTRA = List.of("metrics");

    public static void main(String... args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            Quarkus.run(BenchApp.class, Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(orchestrate(args.length == 0 ? ALL : List.of(args)));
    }

    /**
     * One child JVM: its name (also the name of its SQLite file), its mode and its configuration; {@code metricsBuild}:
     * run from the build with quarkus-micrometer instead of this jar.
     */
    private record Child(String name, String mode, Map<String, String> config, boolean metricsBuild) {
        Child(String name, String mode, Map<String, String> config) {
            this(name, mode, config, false);
        }
    }

    private static List<Child> children(String scenario) {
        return switch (scenario) {
            case "submit" -> List.of(new Child("submit", "submit", Map.of("quarkus.taskqueue.worker.enabled", "false")));
            case "map" -> List.of(new Child("map", "map", Map.of("quarkus.taskqueue.worker.enabled", "false")));
            case "drain" -> List.of(
                    new Child("drain-pool32", "drain", Map.of("quarkus.taskqueue.worker.pool-size", "32")),
                    new Child("drain-pool128", "drain", Map.of("quarkus.taskqueue.worker.pool-size", "128")));
            case "latency" -> List.of(new Child("latency", "latency", Map.of()),
                    new Child("latency-hog", "latency", Map.of("bench.cpu-hog", "true")));
            case "stream" -> List.of(new Child("stream", "stream", Map.of("quarkus.taskqueue.worker.enabled", "false")));
            case "live" -> List.of(new Child("live", "live", Map.of("quarkus.taskqueue.worker.pool-size", "32")));
            case "resume" -> List.of(new Child("resume", "resume", Map.of("quarkus.taskqueue.worker.pool-size", "32")));
            // quarkus.taskqueue.sqlite.synchronous=full: a disk sync per commit (survives power loss)
            case "durability" -> List.of(
                    new Child("submit-full", "submit", Map.of("quarkus.taskqueue.worker.enabled", "false",
                            "quarkus.taskqueue.sqlite.synchronous", "full")),
                    new Child("drain-full", "drain", Map.of("quarkus.taskqueue.worker.pool-size", "32",
                            "quarkus.taskqueue.sqlite.synchronous", "full")));
            case "mixed" -> {
                Map<String, String> limits = new LinkedHashMap<>();
                for (int k = 0; k < BenchApp.KEYS; k++) {
                    limits.put("quarkus.taskqueue.concurrency.\"k" + k + "\".max", String.valueOf(BenchApp.KEY_MAX));
                }
                yield List.of(new Child("mixed", "mixed", limits));
            }
            // the drain with the extension's Micrometer meters off and on in one JVM; quarkus-micrometer brings
            // quarkus-vertx-http, whose server gets a free port
            case "metrics" -> List.of(
                    new Child("metrics-pool32", "metrics", Map.of("quarkus.taskqueue.worker.pool-size", "32",
                            "quarkus.http.port", "0"), true),
                    new Child("metrics-pool128", "metrics", Map.of("quarkus.taskqueue.worker.pool-size", "128",
                            "quarkus.http.port", "0"), true));
            default -> throw new IllegalArgumentException("unknown scenario '" + scenario + "'; known: " + ALL
                    + " and " + EXTRA);
        };
    }

    private static int orchestrate(List<String> scenarios) throws Exception {
        List<Child> children = new ArrayList<>();
        for (String s : scenarios) {
            children.addAll(children(s));
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = System.getProperty("java.class.path");
        // bench/target/quarkus-app/quarkus-run.jar -> bench/target-metrics/quarkus-app/quarkus-run.jar
        String metricsJar = System.getProperty("bench.metrics-jar", Path.of(jar).toAbsolutePath().getParent().getParent()
                .resolveSibling("target-metrics").resolve("quarkus-app").resolve("quarkus-run.jar").toString());
        Path dir = Path.of(System.getProperty("bench.dir",
                Path.of(jar).toAbsolutePath().getParent().getParent().resolve("bench-data").toString()));
        Files.createDirectories(dir);
        System.out.printf("TaskQueue bench: %s on %d CPUs, %s %s; data in %s%n", scenarios,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), dir);
        List<String[]> rows = new ArrayList<>();
        int failures = 0;
        for (Child child : children) {
            Path db = dir.resolve(child.name + ".db");
            Path raw = dir.resolve(child.name + "-raw.db");
            for (Path p : List.of(db, raw)) {
                for (String suffix : List.of("", "-wal", "-shm")) {
                    Files.deleteIfExists(Path.of(p + suffix));
                }
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            String jvm = System.getProperty("bench.jvm", "");
            for (String a : jvm.trim().split("\\s+")) {
                if (!a.isEmpty()) {
                    cmd.add(a.replace("{name}", child.name));
                }
            }
            if (child.mode.equals("stream")) {
                cmd.add("-Xmx128m"); // a stream held in memory (1,000,000 tasks: several hundred MB) would not fit
            }
            cmd.add("-Dquarkus.taskqueue.sqlite.path=" + db);
            cmd.add("-Dbench.raw=" + raw);
            System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.")
                    && !k.equals("bench.jvm") && !k.equals("bench.raw") && !k.equals("bench.metrics-jar"))
                    .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
            child.config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
            if (child.metricsBuild && !Files.exists(Path.of(metricsJar))) {
                System.out.printf("%n=== %s: %s not found; build it with%n  ./mvnw -B -q -f bench/pom.xml package"
                        + " -Dbench.metrics=on%n", child.name, metricsJar);
                failures++;
                continue;
            }
            cmd.addAll(List.of("-jar", child.metricsBuild ? metricsJar : jar, "--child", child.mode));
            System.out.printf("%n=== %s (%s)%n", child.name, child.config.size() > 4
                    ? child.config.size() + " config keys" : child.config);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith(ROW)) {
                        rows.add(line.substring(ROW.length()).split("\t", -1));
                    } else {
                        System.out.println("  [" + child.name + "] " + line);
                    }
                }
            }
            int rc = p.waitFor();
            if (rc != 0) {
                System.out.println("  [" + child.name + "] FAILED with exit code " + rc);
                failures++;
            }
        }
        printTable(rows);
        return failures == 0 ? 0 : 1;
    }

    private static final String[] HEADER = { "scenario", "figure", "median", "min–max", "vs baseline", "target",
            "met" };

    private static void printTable(List<String[]> rows) {
        int[] width = new int[HEADER.length];
        List<String[]> all = new ArrayList<>();
        all.add(HEADER);
        all.addAll(rows);
        for (String[] r : all) {
            for (int i = 0; i < width.length && i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sep = new StringBuilder("+");
        for (int w : width) {
            sep.append("-".repeat(w + 2)).append('+');
        }
        System.out.println();
        System.out.println("RESULTS (rates are tasks/s: median of the measured rounds, min–max across them;"
                + " ratios are medians against the baseline measured in the same JVM)");
        System.out.println(sep);
        for (int n = 0; n < all.size(); n++) {
            String[] r = all.get(n);
            StringBuilder line = new StringBuilder("|");
            for (int i = 0; i < width.length; i++) {
                String cell = i < r.length ? r[i] : "";
                line.append(' ').append(cell).append(" ".repeat(width[i] - cell.length())).append(" |");
            }
            System.out.println(line);
            if (n == 0) {
                System.out.println(sep);
            }
        }
        System.out.println(sep);
    }
}
