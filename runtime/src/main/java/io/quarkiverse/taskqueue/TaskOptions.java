package io.quarkiverse.taskqueue;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-task settings. Every field is optional: an unset field ({@code null}) falls back to the next level,
 * strongest first: the task's own options, the options passed to the call, the batch's defaults, configuration.
 */
public final class TaskOptions {

    private static final TaskOptions DEFAULTS = new Builder().build();

    private final Integer retries;
    private final RetryPolicy retryPolicy;
    private final Duration timeout;
    private final Integer priority;
    private final Duration delay;
    private final String groupId;
    private final String concurrencyKey;
    private final String name;
    private final String submissionId;

    private TaskOptions(Builder b) {
        this.retries = b.retries;
        this.retryPolicy = b.retryPolicy;
        this.timeout = b.timeout;
        this.priority = b.priority;
        this.delay = b.delay;
        this.groupId = b.groupId;
        this.concurrencyKey = b.concurrencyKey;
        this.name = b.name;
        this.submissionId = b.submissionId;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options with nothing set: everything comes from the batch or configuration. */
    public static TaskOptions defaults() {
        return DEFAULTS;
    }

    /** A copy where every field set in {@code overrides} replaces this one's. */
    public TaskOptions with(TaskOptions overrides) {
        Objects.requireNonNull(overrides, "overrides");
        Builder b = toBuilder();
        if (overrides.retries != null) {
            b.retries = overrides.retries;
        }
        if (overrides.retryPolicy != null) {
            b.retryPolicy = overrides.retryPolicy;
        }
        if (overrides.timeout != null) {
            b.timeout = overrides.timeout;
        }
        if (overrides.priority != null) {
            b.priority = overrides.priority;
        }
        if (overrides.delay != null) {
            b.delay = overrides.delay;
        }
        if (overrides.groupId != null) {
            b.groupId = overrides.groupId;
        }
        if (overrides.concurrencyKey != null) {
            b.concurrencyKey = overrides.concurrencyKey;
        }
        if (overrides.name != null) {
            b.name = overrides.name;
        }
        if (overrides.submissionId != null) {
            b.submissionId = overrides.submissionId;
        }
        return b.build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.retries = retries;
        b.retryPolicy = retryPolicy;
        b.timeout = timeout;
        b.priority = priority;
        b.delay = delay;
        b.groupId = groupId;
        b.concurrencyKey = concurrencyKey;
        b.name = name;
        b.submissionId = submissionId;
        return b;
    }

    /** Runs allowed after the first one; {@code null} when unset. */
    public Integer retries() {
        return retries;
    }

    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    public Duration timeout() {
        return timeout;
    }

    public Integer priority() {
        return priority;
    }

    public Duration delay() {
        return delay;
    }

    public String groupId() {
        return groupId;
    }

    public String concurrencyKey() {
        return concurrencyKey;
    }

    public String name() {
        return name;
    }

    /**
     * The id that makes a {@code map()} or {@code group()} call resumable, as
     * {@link BatchSubmission#submissionId(String)} makes a batch; {@code null} when unset. Only the options of such
     * a call may have one: a task's own options and a batch's defaults may not.
     */
    public String submissionId() {
        return submissionId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskOptions other && Objects.equals(retries, other.retries)
                && Objects.equals(retryPolicy, other.retryPolicy) && Objects.equals(timeout, other.timeout)
                && Objects.equals(priority, other.priority) && Objects.equals(delay, other.delay)
                && Objects.equals(groupId, other.groupId) && Objects.equals(concurrencyKey, other.concurrencyKey)
                && Objects.equals(name, other.name) && Objects.equals(submissionId, other.submissionId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(retries, retryPolicy, timeout, priority, delay, groupId, concurrencyKey, name, submissionId);
    }

    @Override
    public String toString() {
        return "TaskOptions[retries=" + retries + ", retryPolicy=" + retryPolicy + ", timeout=" + timeout
                + ", priority=" + priority + ", delay=" + delay + ", groupId=" + groupId + ", concurrencyKey="
                + concurrencyKey + ", name=" + name + ", submissionId=" + submissionId + "]";
    }

    public static final class Builder {
        private Integer retries;
        private RetryPolicy retryPolicy;
        private Duration timeout;
        private Integer priority;
        private Duration delay;
        private String groupId;
        private String concurrencyKey;
        private String name;
        private String submissionId;

        private Builder() {
        }

        public Builder retries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("retries must not be negative: " + retries);
            }
            this.retries = retries;
            return this;
        }

        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        public Builder delay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative: " + delay);
            }
            this.delay = delay;
            return this;
        }

        public Builder groupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        public Builder concurrencyKey(String concurrencyKey) {
            this.concurrencyKey = concurrencyKey;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** See {@link TaskOptions#submissionId()}; 1 to 200 characters, not blank. */
        public Builder submissionId(String submissionId) {
            this.submissionId = BatchSubmission.checkSubmissionId(submissionId);
            return this;
        }

        public TaskOptions build() {
            return new TaskOptions(this);
        }
    }
}
