package io.quarkiverse.taskqueue.cli;

import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkus.arc.Arc;
import io.smallrye.mutiny.Multi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = { "Submits a batch of no-op tasks into a fresh store file, runs them all and prints the "
                + "batch outcome and the timings.",
                "The store is a new temporary file (deleted at the end), or --db PATH (deleted first)." })
public class DemoCommand implements Callable<Integer> {

    @Option(names = "--tasks", defaultValue = "100000", description = "How many tasks (default ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--chunk-size", defaultValue = "10000",
            description = "Tasks per transaction (default ${DEFAULT-VALUE}).")
    int chunkSize;

    @Option(names = "--db", paramLabel = "PATH", description = "The store file to create (default: a temporary file).")
    String db;

    @Override
    public Integer call() {
        if (tasks < 1 || chunkSize < 1) {
            System.err.println("taskqueue: --tasks and --chunk-size must be at least 1");
            return ExitCodes.ERROR;
        }
        TaskQueue queue = Cli.queue();
        DemoHandlers handlers = Arc.container().instance(DemoHandlers.class).get();
        String group = "demo-" + UUID.randomUUID();
        System.out.printf("demo: %s demo_noop tasks in chunks of %s into the fresh store %s%n", Cli.count(tasks),
                Cli.count(chunkSize), System.getProperty(TaskQueueMain.DEMO_DB, "(default)"));

        Multi<TaskSubmission> submissions = Multi.createFrom().items(IntStream.range(0, tasks).boxed())
                .map(i -> TaskSubmission.of("demo_noop", i));
        BatchSubmission settings = BatchSubmission.create().groupId(group).chunkSize(chunkSize);
        AtomicLong written = new AtomicLong();
        long submitted = 0;
        long deduplicated = 0;
        long superseded = 0;
        long failed = 0;
        String batchId = null;
        long start = System.nanoTime();
        try (Progress progress = new Progress("submitted", written::get, () -> (double) written.get() / tasks)) {
            for (BatchOutcome outcome : queue.submitStream(submissions, settings).subscribe().asIterable()) {
                batchId = outcome.batchId();
                submitted += outcome.submitted().size();
                deduplicated += outcome.deduplicated().size();
                superseded += outcome.superseded().size();
                failed += outcome.failed().size();
                written.addAndGet(outcome.total());
            }
        }
        long submitEnd = System.nanoTime();

        AtomicLong finished = new AtomicLong();
        GroupSummary last = null;
        try (Progress progress = new Progress("ran", finished::get, () -> (double) finished.get() / tasks)) {
            for (GroupSummary s : queue.existingGroup(group).progress().subscribe().asIterable()) {
                finished.set(s.succeeded() + s.failed() + s.cancelled());
                last = s;
            }
        }
        long drainEnd = System.nanoTime();

        System.out.println("Batch outcome");
        System.out.printf("  batch:        %s%n", batchId);
        System.out.printf("  submitted:    %s%n", Cli.count(submitted));
        System.out.printf("  deduplicated: %s%n", Cli.count(deduplicated));
        System.out.printf("  superseded:   %s%n", Cli.count(superseded));
        System.out.printf("  failed:       %s%n", Cli.count(failed));
        System.out.println("Timings");
        System.out.printf("  submit:       %s tasks in %s (%s)%n", Cli.count(submitted), Cli.seconds(submitEnd - start),
                Cli.rate(submitted, submitEnd - start));
        System.out.printf("  drain:        %s tasks ran in %s from the first submit (%s), %s after the last chunk "
                + "was committed%n", Cli.count(handlers.ran()), Cli.seconds(drainEnd - start),
                Cli.rate(handlers.ran(), drainEnd - start), Cli.seconds(drainEnd - submitEnd));
        System.out.printf("  group:        %s%n", last == null ? group : GroupCommand.line(last));
        return last != null && last.succeeded() == submitted && failed == 0 ? ExitCodes.OK : ExitCodes.SOME_FAILED;
    }
}
