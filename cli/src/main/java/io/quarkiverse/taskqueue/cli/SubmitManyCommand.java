package io.quarkiverse.taskqueue.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.ConfigProvider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkiverse.taskqueue.BatchFailure;
import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.DuplicateStrategy;
import io.quarkiverse.taskqueue.RetryPolicy;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkiverse.taskqueue.runtime.TaskQueueImpl;
import io.quarkiverse.taskqueue.runtime.config.TaskQueueConfig;
import io.quarkiverse.taskqueue.runtime.json.CappedList;
import io.quarkiverse.taskqueue.runtime.json.LineIndex;
import io.quarkiverse.taskqueue.runtime.json.TaskItemReader;
import io.quarkiverse.taskqueue.runtime.json.ValidItems;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "submit-many", mixinStandardHelpOptions = true,
        description = { "Submits the tasks of a JSON array or of JSON Lines (detected), chunk by chunk.",
                "Items: {\"type\": ..., \"payload\": ..., \"dedupKey\": ..., \"priority\": ..., \"groupId\": ..., "
                        + "\"concurrencyKey\": ..., \"retries\": ..., \"timeoutSeconds\": ..., \"delaySeconds\": ...}"
                        + " or [\"type\", payload].",
                "A bad line is reported with its number on stderr and the others go on; exit code 1 then.",
                "The first " + CappedList.LISTED_FAILURES
                        + " failures are reported and listed; the others are counted." })
public class SubmitManyCommand implements Callable<Integer> {

    /** How many task ids the summary lists. */
    static final int LISTED_IDS = 1000;

    @Parameters(index = "0", paramLabel = "FILE|-", description = "The file, or - for stdin.")
    String file;

    @Option(names = "--group", paramLabel = "ID", description = "Puts every task in this group.")
    String group;

    @Option(names = "--priority", description = "The default priority (higher runs first).")
    Integer priority;

    @Option(names = "--retries", description = "The default number of runs after a failed first one.")
    Integer retries;

    @Option(names = "--retry-initial-ms", paramLabel = "MS", description = "The wait before the first retry.")
    Long retryInitialMs;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "The default timeout of one attempt.")
    Integer timeoutSeconds;

    @Option(names = "--chunk-size", paramLabel = "N",
            description = "Tasks per transaction (default quarkus.taskqueue.batch.chunk-size, 10000).")
    Integer chunkSize;

    @Option(names = "--on-duplicate", paramLabel = "skip|supersede|fail", defaultValue = "skip",
            description = "What a task whose dedup key is active does (default ${DEFAULT-VALUE}).")
    DuplicateStrategy onDuplicate;

    @Option(names = "--json", description = "Prints the outcome as one JSON object.")
    boolean json;

    @Option(names = "--submission-id", paramLabel = "ID",
            description = { "Makes the submission resumable: run again with the same id after a crash or an "
                    + "interruption, it writes only the chunks not yet committed and prints the outcome of the whole "
                    + "input. Kept for quarkus.taskqueue.submission.retention (24h)." })
    String submissionId;

    @Option(names = "--resume",
            description = "As --submission-id, with an id derived from the file's content: the same command on the "
                    + "same file writes only what an interrupted run did not.")
    boolean resume;

    @Option(names = "--allow-unknown-types",
            description = "Submits task types that no application using the store has registered.")
    boolean allowUnknownTypes;

    @Mixin
    Target target;

    /** The failures: the {@value CappedList#LISTED_FAILURES} of the lowest lines are kept, all are counted. */
    private final CappedList<LineError> errors = new CappedList<>(CappedList.LISTED_FAILURES,
            Comparator.comparingLong(LineError::line));
    /** Failures that the application counted in its outcomes but did not list. */
    private long unlisted;
    private final AtomicLong read = new AtomicLong();
    private long submitted;
    private long deduplicated;
    private long superseded;
    private String batchId;
    private final List<String> taskIds = new ArrayList<>();

    record LineError(long line, String message) {
    }

    @Override
    public Integer call() throws Exception {
        if (chunkSize != null && chunkSize < 1) {
            System.err.println("taskqueue: --chunk-size must be at least 1, not " + chunkSize);
            return ExitCodes.ERROR;
        }
        if (timeoutSeconds != null && timeoutSeconds < 1) {
            System.err.println("taskqueue: --timeout must be at least 1 second, not " + timeoutSeconds);
            return ExitCodes.ERROR;
        }
        if (retries != null && retries < 0) {
            System.err.println("taskqueue: --retries must not be negative, not " + retries);
            return ExitCodes.ERROR;
        }
        if (resume) {
            if (submissionId != null) {
                System.err.println("taskqueue: --resume derives the submission id from the file; "
                        + "give --submission-id or --resume, not both");
                return ExitCodes.ERROR;
            }
            if ("-".equals(file)) {
                System.err.println("taskqueue: --resume needs a file (stdin cannot be read twice); "
                        + "give stdin a --submission-id instead");
                return ExitCodes.ERROR;
            }
            try {
                submissionId = contentId(Path.of(file));
            } catch (NoSuchFileException e) {
                System.err.println("taskqueue: no such file: " + file);
                return ExitCodes.ERROR;
            } catch (IOException e) {
                System.err.println("taskqueue: cannot read " + file + ": " + e.getMessage());
                return ExitCodes.ERROR;
            }
        }
        if (submissionId != null && (submissionId.isBlank() || submissionId.length() > 200)) {
            System.err.println("taskqueue: --submission-id must be 1 to 200 characters, not blank");
            return ExitCodes.ERROR;
        }
        InputStream in;
        long size;
        if ("-".equals(file)) {
            in = System.in;
            size = -1;
        } else {
            try {
                Path path = Path.of(file);
                in = Files.newInputStream(path);
                size = Files.size(path);
            } catch (NoSuchFileException e) {
                System.err.println("taskqueue: no such file: " + file);
                return ExitCodes.ERROR;
            } catch (IOException e) {
                System.err.println("taskqueue: cannot read " + file + ": " + e.getMessage());
                return ExitCodes.ERROR;
            }
        }
        CountingInputStream counting = new CountingInputStream(in);
        long start = System.nanoTime();
        try (TaskItemReader reader = TaskItemReader.open(counting, Cli.mapper());
                Progress progress = new Progress("submitted", read::get,
                        () -> size > 0 ? (double) counting.count() / size : -1)) {
            int code = target.remote() ? submitRemote(reader) : submitLocal(reader);
            if (code != ExitCodes.OK) {
                return code;
            }
        }
        long elapsed = System.nanoTime() - start;
        print(elapsed);
        return failed() == 0 ? ExitCodes.OK : ExitCodes.SOME_FAILED;
    }

    // ---------------------------------------------------------------- embedded store

    private int submitLocal(TaskItemReader reader) {
        TaskQueueImpl queue = Cli.queue();
        Set<String> known = allowUnknownTypes ? null : Cli.store().registeredTaskTypes().await().atMost(Cli.WAIT);
        LineIndex lines = new LineIndex(); // the tasks handed to the batch and not yet answered
        Iterable<TaskSubmission> tasks = () -> new ValidItems(counted(reader), task -> known == null
                || known.contains(task.taskType()) ? null
                        : "unknown task type '" + task.taskType() + "': no application using this store registered it "
                                + "(registered: " + known + "); --allow-unknown-types submits it anyway",
                lines, (position, line, reason) -> error(line, reason));
        // types were checked above against the store (not this CLI's own handlers), so every type passes here;
        // the file is read on a worker thread as the chunks ask for tasks: one chunk (or two) in memory at a time
        Multi<TaskSubmission> source = Multi.createFrom().iterable(tasks)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        long answered = 0;
        for (BatchOutcome outcome : queue.submitStream(source, settings(), type -> true)
                .subscribe().asIterable()) {
            batchId = outcome.batchId();
            submitted += outcome.submitted().size();
            deduplicated += outcome.deduplicated().size();
            superseded += outcome.superseded().size();
            for (TaskId id : outcome.submitted()) {
                if (taskIds.size() < LISTED_IDS) {
                    taskIds.add(id.toString());
                }
            }
            for (BatchFailure f : outcome.failed()) {
                error(lines.lineOf(f.index()), f.message());
            }
            lines.release(answered += outcome.total());
        }
        return ExitCodes.OK;
    }

    /** The id {@code --resume} gives a file: its SHA-256, so that the same content resumes the same submission. */
    static String contentId(Path path) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(path), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return "submit-many-sha256-" + HexFormat.of().formatHex(digest.digest());
    }

    private BatchSubmission settings() {
        BatchSubmission batch = BatchSubmission.create().onDuplicate(onDuplicate).submissionId(submissionId);
        if (group != null) {
            batch.groupId(group);
        }
        if (priority != null) {
            batch.defaultPriority(priority);
        }
        if (chunkSize != null) {
            batch.chunkSize(chunkSize);
        }
        TaskOptions.Builder options = TaskOptions.builder();
        if (retries != null) {
            options.retries(retries);
        }
        if (retryInitialMs != null) {
            // the rest of the policy comes from configuration, as it does through the REST API
            TaskQueueConfig.Retry retry = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class)
                    .getConfigMapping(TaskQueueConfig.class).retry();
            options.retryPolicy(RetryPolicy.exponential(Duration.ofMillis(retryInitialMs), retry.multiplier())
                    .withMaxInterval(retry.maxInterval()).withJitter(retry.jitter()));
        }
        if (timeoutSeconds != null) {
            options.timeout(Duration.ofSeconds(timeoutSeconds));
        }
        return batch.defaultOptions(options.build());
    }

    // ---------------------------------------------------------------- remote application

    private int submitRemote(TaskItemReader reader) throws Exception {
        RestClient client = target.client();
        ObjectMapper mapper = Cli.mapper();
        // the JDK client reads the reply only once the body is sent: what maps the application's line numbers
        // back to the input's must not grow with the lines sent
        SentLines lines = new SentLines();
        PipedInputStream body = new PipedInputStream(256 * 1024);
        PipedOutputStream out = new PipedOutputStream(body);
        Thread writer = new Thread(() -> {
            try (PrintStream lineOut = new PrintStream(new BufferedOutputStream(out, 64 * 1024), false,
                    StandardCharsets.UTF_8)) {
                while (reader.hasNext()) {
                    TaskItemReader.Item item = reader.next();
                    read.incrementAndGet();
                    if (!item.ok()) {
                        error(item.line(), item.error());
                    } else {
                        for (long blanks = lines.next(item.line()); blanks > 0; blanks--) {
                            lineOut.print('\n');
                        }
                        lineOut.print(mapper.writeValueAsString(itemJson(mapper, item.task())));
                        lineOut.print('\n');
                    }
                }
            } catch (Exception e) {
                error(reader.lineNumber(), "cannot read the input: " + Cli.describe(e));
            }
        }, "taskqueue-upload");
        writer.setDaemon(true);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("groupId", group);
        query.put("priority", priority == null ? null : priority.toString());
        query.put("onDuplicate", onDuplicate.name().toLowerCase());
        query.put("chunkSize", chunkSize == null ? null : chunkSize.toString());
        query.put("retries", retries == null ? null : retries.toString());
        query.put("retryInitialMs", retryInitialMs == null ? null : retryInitialMs.toString());
        query.put("timeoutSeconds", timeoutSeconds == null ? null : timeoutSeconds.toString());
        writer.start();
        HttpResponse<Stream<String>> response;
        try {
            response = client.postNdjson(query, submissionId, () -> body);
        } catch (IOException e) {
            System.err.println("taskqueue: cannot reach " + client.base() + ": " + Cli.describe(e));
            return ExitCodes.ERROR;
        }
        try (Stream<String> replies = response.body()) {
            if (response.statusCode() != 200) {
                System.err.println("taskqueue: " + client.base() + "/batches answered " + response.statusCode() + ": "
                        + String.join("\n", replies.toList()));
                return ExitCodes.ERROR;
            }
            for (Iterator<String> it = replies.iterator(); it.hasNext();) {
                String line = it.next();
                if (line.isBlank()) {
                    continue;
                }
                JsonNode outcome = mapper.readTree(line);
                if (outcome.has("error")) {
                    System.err.println("taskqueue: the application failed: " + outcome.get("error").asText());
                    return ExitCodes.ERROR;
                }
                batchId = outcome.path("batchId").asText(null);
                submitted += outcome.path("submitted").size();
                deduplicated += outcome.path("deduplicated").size();
                superseded += outcome.path("superseded").size();
                for (JsonNode id : outcome.path("submitted")) {
                    if (taskIds.size() < LISTED_IDS) {
                        taskIds.add(id.asText());
                    }
                }
                JsonNode failed = outcome.path("failed");
                for (JsonNode f : failed) {
                    long sentLine = f.path("line").asLong(-1);
                    error(sentLine > 0 ? lines.inputLine(sentLine) : -1, f.path("message").asText());
                }
                // an outcome lists at most 1,000 of the lines the application could not read, and counts them all
                unlisted += Math.max(0, outcome.path("failedCount").asLong(failed.size()) - failed.size());
            }
        }
        writer.join();
        return ExitCodes.OK;
    }

    static ObjectNode itemJson(ObjectMapper mapper, TaskSubmission task) {
        ObjectNode node = mapper.createObjectNode().put("type", task.taskType());
        node.set("payload", mapper.valueToTree(task.payload()));
        if (task.dedupKey() != null) {
            node.put("dedupKey", task.dedupKey());
        }
        if (task.priority() != null) {
            node.put("priority", task.priority());
        }
        if (task.groupId() != null) {
            node.put("groupId", task.groupId());
        }
        if (task.concurrencyKey() != null) {
            node.put("concurrencyKey", task.concurrencyKey());
        }
        TaskOptions o = task.options();
        if (o != null) {
            if (o.retries() != null) {
                node.put("retries", o.retries());
            }
            if (o.timeout() != null) {
                node.put("timeoutSeconds", o.timeout().toMillis() / 1000.0);
            }
            if (o.delay() != null) {
                node.put("delaySeconds", o.delay().toMillis() / 1000.0);
            }
        }
        return node;
    }

    // ---------------------------------------------------------------- output

    /** The reader's items, each counted in {@link #read}. */
    private Iterator<TaskItemReader.Item> counted(TaskItemReader reader) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return reader.hasNext();
            }

            @Override
            public TaskItemReader.Item next() {
                TaskItemReader.Item item = reader.next();
                read.incrementAndGet();
                return item;
            }
        };
    }

    /**
     * Counts a failure and keeps it if its line is among the lowest; the first
     * {@value CappedList#LISTED_FAILURES} found are reported on stderr, the others only counted.
     */
    private synchronized void error(long line, String message) {
        errors.add(new LineError(line, message));
        long count = errors.count();
        if (count <= CappedList.LISTED_FAILURES) {
            System.err.println((line > 0 ? "line " + line : "a line") + ": " + message);
        } else if (count == CappedList.LISTED_FAILURES + 1) {
            System.err.println("taskqueue: more than " + Cli.count(CappedList.LISTED_FAILURES)
                    + " failures; the others are only counted");
        }
    }

    private long failed() {
        return errors.count() + unlisted;
    }

    private void print(long elapsed) {
        List<LineError> listed = errors.listed();
        long failed = failed();
        if (json) {
            ObjectMapper mapper = Cli.mapper();
            ObjectNode node = mapper.createObjectNode().put("batchId", batchId).put("submissionId", submissionId)
                    .put("read", read.get())
                    .put("submitted", submitted).put("deduplicated", deduplicated).put("superseded", superseded)
                    .put("failed", failed);
            ArrayNode errorNodes = node.putArray("errors");
            for (LineError e : listed) {
                errorNodes.addObject().put("line", e.line()).put("message", e.message());
            }
            node.put("errorsTruncated", failed > listed.size());
            ArrayNode ids = node.putArray("taskIds");
            taskIds.forEach(ids::add);
            node.put("taskIdsTruncated", submitted > taskIds.size());
            node.put("seconds", elapsed / 1e9);
            System.out.println(Cli.json().write(node));
            return;
        }
        System.out.printf("Submitted %s of %s tasks in %s (%s)%n", Cli.count(submitted), Cli.count(read.get()),
                Cli.seconds(elapsed), Cli.rate(submitted, elapsed));
        System.out.printf("  batch:        %s%n", batchId == null ? "(none, nothing was written)" : batchId);
        if (submissionId != null) {
            System.out.printf("  submission:   %s (the same command again writes only what is missing)%n",
                    submissionId);
        }
        System.out.printf("  deduplicated: %s%n", Cli.count(deduplicated));
        System.out.printf("  superseded:   %s%n", Cli.count(superseded));
        System.out.printf("  failed:       %s%s%n", Cli.count(failed), failed == 0 ? ""
                : " (lines " + lineList(listed, failed) + (errors.count() > CappedList.LISTED_FAILURES
                        ? ", reasons of the first " + Cli.count(CappedList.LISTED_FAILURES) + " found on stderr)"
                        : ", reasons on stderr)"));
        if (submitted > 0 && submitted <= 10) {
            System.out.printf("  task ids:     %s%n", String.join(" ", taskIds));
        }
    }

    /** The first 20 lines of the listed failures, and "..." for the others. */
    private static String lineList(List<LineError> listed, long failed) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < listed.size() && i < 20; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(listed.get(i).line());
        }
        if (failed > Math.min(listed.size(), 20)) {
            sb.append(sb.isEmpty() ? "..." : ", ...");
        }
        return sb.toString();
    }
}
