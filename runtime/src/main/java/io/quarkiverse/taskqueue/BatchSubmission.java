package io.quarkiverse.taskqueue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A batch of tasks and the defaults that apply to all of them. A builder: each method changes this batch and
 * returns it; {@link #tasks(Stream)} is consumed once, when the batch is submitted. Not thread-safe.
 */
public final class BatchSubmission {

    private final List<Iterable<TaskSubmission>> sources = new ArrayList<>();
    private List<TaskSubmission> added;
    private String groupId;
    private String defaultConcurrencyKey;
    private Integer defaultPriority;
    private TaskOptions defaultOptions = TaskOptions.defaults();
    private DuplicateStrategy onDuplicate = DuplicateStrategy.SKIP;
    private Integer chunkSize;
    private String submissionId;

    private BatchSubmission() {
    }

    public static BatchSubmission create() {
        return new BatchSubmission();
    }

    public BatchSubmission tasks(Iterable<TaskSubmission> tasks) {
        sources.add(Objects.requireNonNull(tasks, "tasks"));
        added = null;
        return this;
    }

    public BatchSubmission tasks(Stream<TaskSubmission> tasks) {
        Stream<TaskSubmission> stream = Objects.requireNonNull(tasks, "tasks");
        sources.add(stream::iterator);
        added = null;
        return this;
    }

    public BatchSubmission add(TaskSubmission task) {
        Objects.requireNonNull(task, "task");
        if (added == null) {
            added = new ArrayList<>();
            sources.add(added);
        }
        added.add(task);
        return this;
    }

    /** Puts every task of the batch in this group. */
    public BatchSubmission groupId(String groupId) {
        this.groupId = groupId;
        return this;
    }

    public BatchSubmission defaultConcurrencyKey(String concurrencyKey) {
        this.defaultConcurrencyKey = concurrencyKey;
        return this;
    }

    public BatchSubmission defaultPriority(int priority) {
        this.defaultPriority = priority;
        return this;
    }

    public BatchSubmission defaultOptions(TaskOptions options) {
        this.defaultOptions = Objects.requireNonNull(options, "options");
        return this;
    }

    public BatchSubmission onDuplicate(DuplicateStrategy strategy) {
        this.onDuplicate = Objects.requireNonNull(strategy, "strategy");
        return this;
    }

    /** Tasks per transaction; {@code quarkus.taskqueue.batch.chunk-size} when not set. */
    public BatchSubmission chunkSize(int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1: " + chunkSize);
        }
        this.chunkSize = chunkSize;
        return this;
    }

    /**
     * Makes the batch resumable under this id, an idempotency key for the whole batch: each committed chunk records
     * where its tasks went, in its own transaction. Submitting again with the same id and the same tasks (after a
     * crash, a timeout or a lost response) writes only the chunks not committed yet and emits the outcome of the
     * whole batch as if the first call had finished. The same id with other tasks fails, naming the id. Kept for
     * {@code quarkus.taskqueue.submission.retention}.
     */
    public BatchSubmission submissionId(String submissionId) {
        this.submissionId = checkSubmissionId(submissionId);
        return this;
    }

    static String checkSubmissionId(String submissionId) {
        if (submissionId != null && (submissionId.isBlank() || submissionId.length() > 200)) {
            throw new IllegalArgumentException("submissionId must be 1 to 200 characters, not blank: \""
                    + submissionId + "\"");
        }
        return submissionId;
    }

    /** The submission id, or {@code null} for a batch that is not resumable. */
    public String submissionId() {
        return submissionId;
    }

    /** The tasks, in the order they were given. A stream source can be iterated once. */
    public Iterator<TaskSubmission> iterator() {
        return sources.stream().flatMap(s -> StreamSupport.stream(s.spliterator(), false))
                .iterator();
    }

    public String groupId() {
        return groupId;
    }

    public String defaultConcurrencyKey() {
        return defaultConcurrencyKey;
    }

    public Integer defaultPriority() {
        return defaultPriority;
    }

    public TaskOptions defaultOptions() {
        return defaultOptions;
    }

    public DuplicateStrategy onDuplicate() {
        return onDuplicate;
    }

    /** The chunk size, or {@code null} for the configured default. */
    public Integer chunkSize() {
        return chunkSize;
    }
}
