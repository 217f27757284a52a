package io.quarkiverse.taskqueue.it;

import java.io.BufferedReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One node: a process of the packaged test application on the shared test database. */
final class NodeProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final BlockingQueue<String> scenarioLines = new LinkedBlockingQueue<>();
    private final Deque<String> lastLines = new ArrayDeque<>();
    private volatile int httpPort = -1;

    private NodeProcess(String name, Process process) {
        this.name = name;
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
                    if (httpPort < 0 && listening.find()) {
                        httpPort = Integer.parseInt(listening.group(1));
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

    static NodeProcess start(String name, String... properties) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-Dquarkus.http.port=0");
        command.add("-Dit.node=" + name);
        for (String p : properties) {
            command.add("-D" + p);
        }
        command.add("-jar");
        command.add(Path.of("target", "quarkus-app", "quarkus-run.jar").toString());
        return new NodeProcess(name, new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^ ]*:(\\d+)");

    /** The HTTP status of {@code GET path} on this node (-1 when it does not answer). */
    int httpStatus(String path) {
        if (httpPort < 0) {
            return -1;
        }
        try {
            HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + httpPort + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The next {@code SCENARIO ...} line the node printed. */
    String scenarioLine(Duration timeout) throws InterruptedException {
        String line = scenarioLines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError(name + " printed no SCENARIO line within " + timeout + "; its last lines:\n"
                    + lastLines());
        }
        return line;
    }

    String lastLines() {
        synchronized (lastLines) {
            return String.join("\n", lastLines);
        }
    }

    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
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

    static void awaitTrue(Duration timeout, String what, Check check) throws Exception {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        Exception last = null;
        while (true) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (Exception e) {
                last = e; // e.g. the database is restarting: look again
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for: " + what, last);
            }
            Thread.sleep(50);
        }
    }

    @FunctionalInterface
    interface Check {
        boolean ok() throws Exception;
    }
}
