package io.quarkiverse.taskqueue.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged test application as a separate JVM, for tests that kill and restart it. */
final class AppProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:\\s]+:(\\d+)");

    private final Process process;
    private final BlockingQueue<String> scenarioLines = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final Deque<String> lastLines = new ArrayDeque<>();

    private AppProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("SCENARIO")) {
                        scenarioLines.add(line);
                    }
                    Matcher listening = LISTENING.matcher(line);
                    if (listening.find()) {
                        port.complete(Integer.parseInt(listening.group(1)));
                    }
                    synchronized (lastLines) {
                        lastLines.addLast(line);
                        if (lastLines.size() > 40) {
                            lastLines.removeFirst();
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process died: that is what some tests do to it
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    static AppProcess start(Path store, String... properties) throws IOException {
        return start(store, List.of(), properties);
    }

    /** @param jvmOptions such as {@code -Xmx96m}, before the system properties */
    static AppProcess start(Path store, List<String> jvmOptions, String... properties) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dquarkus.taskqueue.sqlite.path=" + store);
        command.add("-Dquarkus.http.port=0");
        for (String p : properties) {
            command.add("-D" + p);
        }
        command.add("-jar");
        command.add(Path.of("target", "quarkus-app", "quarkus-run.jar").toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        return new AppProcess(builder.start());
    }

    /** The next {@code SCENARIO ...} line the application printed. */
    String scenarioLine(Duration timeout) throws InterruptedException {
        String line = scenarioLines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("the application printed no SCENARIO line within " + timeout);
        }
        return line;
    }

    /** The base URL of the HTTP server, once it listens. */
    String url(Duration timeout) throws Exception {
        try {
            return "http://localhost:" + port.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the application did not listen within " + timeout + "; its last lines:\n"
                    + lastLines());
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines the application printed, for failure messages. */
    String lastLines() {
        synchronized (lastLines) {
            return String.join("\n", lastLines);
        }
    }

    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    boolean waitForExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    static Path freshFile(String name) throws IOException {
        Path file = Path.of("target", name + "-" + System.nanoTime() + ".db");
        Files.deleteIfExists(file);
        return file;
    }

    static long query(Path db, String sql) throws SQLException {
        if (!Files.exists(db)) {
            return 0;
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db + "?busy_timeout=10000");
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("no such table")) {
                return 0;
            }
            throw e;
        }
    }

    static void awaitTrue(Duration timeout, String what, Check check) throws Exception {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (!check.ok()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    @FunctionalInterface
    interface Check {
        boolean ok() throws Exception;
    }
}
