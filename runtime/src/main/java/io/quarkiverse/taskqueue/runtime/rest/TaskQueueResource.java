package io.quarkiverse.taskqueue.runtime.rest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestStreamElementType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.DuplicateStrategy;
import io.quarkiverse.taskqueue.RetryPolicy;
import io.quarkiverse.taskqueue.TaskHandle;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.TaskInfo;
import io.quarkiverse.taskqueue.TaskOptions;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkiverse.taskqueue.runtime.TaskQueueImpl;
import io.quarkiverse.taskqueue.runtime.config.TaskQueueConfig;
import io.quarkiverse.taskqueue.runtime.json.CappedList;
import io.quarkiverse.taskqueue.runtime.json.LineIndex;
import io.quarkiverse.taskqueue.runtime.json.TaskItemReader;
import io.quarkiverse.taskqueue.runtime.json.ValidItems;
import io.quarkiverse.taskqueue.runtime.json.TaskJson;
import io.quarkiverse.taskqueue.runtime.store.SubmissionMismatchException;
import io.quarkiverse.taskqueue.runtime.store.TaskStore;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The REST API. It has no class-level {@code @Path}: the deployment module registers it under
 * {@code quarkus.taskqueue.rest.path} when {@code quarkus.taskqueue.rest.enabled} is true and quarkus-rest is
 * present. Input is read as JSON and handed to the public API; nothing from it ever becomes SQL.
 */
@Singleton
public class TaskQueueResource {

    private static final Logger LOG = Logger.getLogger(TaskQueueResource.class);
    static final String NDJSON = "application/x-ndjson";
    /** A batch sent again with the same key writes only what is missing and answers with the whole outcome. */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    @Inject
    TaskQueueImpl queue;

    @Inject
    TaskStore store;

    @Inject
    ObjectMapper mapper;

    @Inject
    TaskQueueConfig config;

    private TaskJson json() {
        return new TaskJson(mapper);
    }

    // ---------------------------------------------------------------- submit

    /** One task, in the item form of the CLI; 201 with its id. */
    @POST
    @Path("/tasks")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public Uni<Response> submitTask(InputStream body, @HeaderParam("Content-Length") String contentLength,
            @Context UriInfo uriInfo) {
        OneTask one = readOneTask(body, contentLength, "POST /tasks takes one task, send several to POST .../batches");
        if (one.error() != null) {
            return Uni.createFrom().item(one.error());
        }
        TaskSubmission task = one.task();
        return queue.submit(task).map(handle -> created(uriInfo, handle))
                .onFailure(IllegalArgumentException.class)
                .recoverWithItem(e -> badRequest(json().error(e.getMessage())));
    }

    /**
     * A JSON array of items, as one batch written chunk by chunk through {@code submitStream} while the body is
     * read: 201 with the outcome, or 400 with the same outcome when some items were rejected (the first
     * {@value CappedList#LISTED_FAILURES} listed by array index and line, all of them counted in
     * {@code failedCount}; the valid ones are submitted). Memory does not grow with the items: they are read one
     * at a time, and what the reply lists is spooled and streamed (see {@link ArrayBatchReply}).
     */
    @POST
    @Path("/batches")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public Response submitBatch(InputStream body, @HeaderParam("Content-Length") String contentLength,
            @QueryParam("groupId") String groupId, @QueryParam("priority") String priority,
            @QueryParam("onDuplicate") String onDuplicate, @QueryParam("chunkSize") String chunkSize,
            @QueryParam("retries") String retries, @QueryParam("retryInitialMs") String retryInitialMs,
            @QueryParam("timeoutSeconds") String timeoutSeconds, @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey) {
        Response tooLarge = checkLength(contentLength);
        if (tooLarge != null) {
            return tooLarge;
        }
        BatchSubmission settings;
        try {
            settings = settings(groupId, priority, onDuplicate, chunkSize, retries, retryInitialMs, timeoutSeconds,
                    idempotencyKey);
        } catch (IllegalArgumentException e) {
            return badRequest(json().error(e.getMessage()));
        }
        int chunk = chunkSize(settings);
        LineIndex lines = new LineIndex();
        ArrayBatchReply reply = null;
        try (TaskItemReader reader = TaskItemReader.open(limited(body), mapper, TaskItemReader.Format.JSON_ARRAY)) {
            ArrayBatchReply answer = reply = new ArrayBatchReply(mapper);
            UntilBroken items = new UntilBroken(reader, lines, chunk);
            Iterable<TaskSubmission> tasks = () -> new ValidItems(items, task -> null, lines, answer::rejected);
            Multi<TaskSubmission> source = Multi.createFrom().iterable(tasks)
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
            long chunks = 0;
            try {
                for (BatchOutcome outcome : queue.submitStream(source, settings).subscribe().asIterable()) {
                    answer.committed(outcome, lines);
                    lines.release(++chunks * chunk);
                }
            } catch (RuntimeException e) {
                BrokenBody broken = brokenBody(e);
                if (broken == null) {
                    throw e;
                }
                close(answer);
                return broken.items.broken != null ? badRequest(breakOf(broken.items)
                        .put("note", "nothing of this batch was submitted"))
                        : ioFailure(broken.items.unreadable);
            }
            if (items.broken != null) {
                answer.brokeOff(400, breakOf(items), items.position);
            } else if (items.unreadable != null) {
                answer.brokeOff(items.unreadable instanceof BodyTooLargeException ? 413 : 400,
                        errorOf(items.unreadable), items.position);
            }
            return answer.response();
        } catch (IOException | UncheckedIOException e) {
            close(reply);
            return ioFailure(e);
        } catch (SubmissionMismatchException e) {
            close(reply);
            return Response.status(422).type(MediaType.APPLICATION_JSON).entity(json().write(json().error(e.getMessage())))
                    .build();
        } catch (IllegalArgumentException e) {
            close(reply);
            return badRequest(json().error(e.getMessage()));
        } catch (RuntimeException e) {
            close(reply);
            throw e;
        }
    }

    /**
     * The items of a JSON array body up to the first one that ends the reading (broken JSON, not an array) or an
     * I/O error (a body over the limit). While fewer than a chunk of tasks has been handed to the batch nothing
     * can have been written, so the stream fails with {@link BrokenBody} and nothing is. Later, failing it would
     * cancel a chunk that may be committing: the reading stops instead, the break is kept in {@code broken} or
     * {@code unreadable}, and the items before it go on.
     */
    private static final class UntilBroken implements Iterator<TaskItemReader.Item> {

        private final TaskItemReader reader;
        private final LineIndex handedOut;
        private final int chunk;
        private TaskItemReader.Item next;
        volatile long position;
        volatile TaskItemReader.Item broken;
        volatile IOException unreadable;

        UntilBroken(TaskItemReader reader, LineIndex handedOut, int chunk) {
            this.reader = reader;
            this.handedOut = handedOut;
            this.chunk = chunk;
        }

        @Override
        public boolean hasNext() {
            if (next == null && broken == null && unreadable == null) {
                try {
                    if (reader.hasNext()) {
                        TaskItemReader.Item item = reader.next();
                        if (item.fatal()) {
                            broken = item;
                        } else {
                            next = item;
                        }
                    }
                } catch (UncheckedIOException e) {
                    unreadable = e.getCause();
                }
                if ((broken != null || unreadable != null) && handedOut.added() < chunk) {
                    throw new BrokenBody(this);
                }
            }
            return next != null;
        }

        @Override
        public TaskItemReader.Item next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            TaskItemReader.Item item = next;
            next = null;
            position++;
            return item;
        }
    }

    /** A JSON array body broke off before anything of it was written. */
    private static final class BrokenBody extends RuntimeException {

        private static final long serialVersionUID = 1L;
        final transient UntilBroken items;

        BrokenBody(UntilBroken items) {
            super("the body broke off at index " + items.position, null, false, false);
            this.items = items;
        }
    }

    private ObjectNode breakOf(UntilBroken items) {
        return json().error(items.broken.error().replace("the input must be", "the body must be"))
                .put("index", items.position).put("line", items.broken.line());
    }

    private static BrokenBody brokenBody(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BrokenBody broken) {
                return broken;
            }
        }
        return null;
    }

    /**
     * JSON Lines, streamed through {@code submitStream}: the body is read line by line as the chunks are
     * written, and one outcome per committed chunk is streamed back, one JSON object a line. A bad line is
     * reported in the {@code failed} list of the next outcome with its line number; the other lines go on. Each
     * outcome lists the failures of its chunk and at most {@value CappedList#LISTED_FAILURES} of the bad lines
     * read since the previous one; its {@code failedCount} counts them all.
     */
    @POST
    @Path("/batches")
    @Consumes(NDJSON)
    @Produces(NDJSON)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Blocking
    public Multi<ObjectNode> streamBatch(InputStream body, @QueryParam("groupId") String groupId,
            @QueryParam("priority") String priority, @QueryParam("onDuplicate") String onDuplicate,
            @QueryParam("chunkSize") String chunkSize, @QueryParam("retries") String retries,
            @QueryParam("retryInitialMs") String retryInitialMs, @QueryParam("timeoutSeconds") String timeoutSeconds,
            @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey) {
        BatchSubmission settings;
        try {
            settings = settings(groupId, priority, onDuplicate, chunkSize, retries, retryInitialMs, timeoutSeconds,
                    idempotencyKey);
        } catch (IllegalArgumentException e) {
            // before the stream starts, so the client gets a 400 (and the body is never read)
            throw new WebApplicationException(badRequest(json().error(e.getMessage())));
        }
        int chunk = chunkSize(settings);
        LineIndex lines = new LineIndex();
        CappedList<BadLine> badLines = new CappedList<>(CappedList.LISTED_FAILURES,
                Comparator.comparingLong(BadLine::line));
        AtomicLong chunks = new AtomicLong();
        String[] batchId = new String[1];
        Iterable<TaskSubmission> tasks = () -> new ValidItems(openLines(body), task -> null, lines,
                (position, line, reason) -> badLines.add(new BadLine(line, reason)));
        Multi<TaskSubmission> source = Multi.createFrom().iterable(tasks)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        Multi<ObjectNode> outcomes = queue.submitStream(source, settings).map(outcome -> {
            batchId[0] = outcome.batchId();
            ObjectNode node = json().outcome(outcome, lines);
            lines.release((chunks.incrementAndGet()) * chunk);
            addBadLines(node, badLines.drain());
            return node;
        });
        Multi<ObjectNode> rest = Multi.createFrom().deferred(() -> {
            CappedList.Listing<BadLine> left = badLines.drain();
            if (left.count() == 0) {
                return Multi.createFrom().empty();
            }
            ObjectNode node = json().outcome(new BatchOutcome(batchId[0], List.of(), List.of(), List.of(),
                    List.of()), null);
            addBadLines(node, left);
            return Multi.createFrom().item(node);
        });
        return Multi.createBy().concatenating().streams(outcomes, rest)
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf(e, "An NDJSON batch failed after %d chunk(s)", chunks.get());
                    String message = e instanceof UncheckedIOException u && u.getCause() != null
                            ? u.getCause().getMessage()
                            : e.getMessage();
                    return json().error(message);
                });
    }

    /** A line of an NDJSON body that is no task. */
    private record BadLine(long line, String message) {
    }

    /** Adds the bad lines to an outcome's failures, sorted by line, and counts them all in failedCount. */
    private void addBadLines(ObjectNode outcome, CappedList.Listing<BadLine> badLines) {
        ArrayNode failed = (ArrayNode) outcome.get("failed");
        long count = failed.size() + badLines.count();
        List<ObjectNode> all = new ArrayList<>(failed.size() + badLines.entries().size());
        failed.forEach(n -> all.add((ObjectNode) n));
        for (BadLine bad : badLines.entries()) {
            all.add(json().object().put("line", bad.line()).putNull("taskType").put("message", bad.message()));
        }
        all.sort(Comparator.comparingLong(n -> n.path("line").asLong(Long.MAX_VALUE)));
        failed.removeAll();
        failed.addAll(all);
        outcome.put("failedCount", count);
    }

    private TaskItemReader openLines(InputStream body) {
        try {
            return TaskItemReader.open(body, mapper, TaskItemReader.Format.JSON_LINES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- tasks

    @GET
    @Path("/tasks/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> task(@PathParam("id") String id) {
        return withTask(id, (taskId, info) -> store.result(taskId).map(result -> ok(json().info(info, result))));
    }

    @DELETE
    @Path("/tasks/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> cancelTask(@PathParam("id") String id) {
        return withTask(id, (taskId, info) -> queue.task(taskId).cancel().chain(cancelled -> store.info(taskId)
                .map(after -> ok(json().object().put("id", taskId.toString()).put("cancelled", cancelled)
                        .put("state", after == null ? null : after.state().name())))));
    }

    /** 400 for an id that is not one, 404 for an unknown task, else what {@code found} answers. */
    private Uni<Response> withTask(String id, BiFunction<TaskId, TaskInfo, Uni<Response>> found) {
        TaskId taskId;
        try {
            taskId = TaskId.parse(id);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(badRequest(json().error(e.getMessage())));
        }
        return store.info(taskId)
                .chain(info -> info == null ? Uni.createFrom().item(taskNotFound(taskId)) : found.apply(taskId, info));
    }

    // ---------------------------------------------------------------- groups

    @GET
    @Path("/groups/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> group(@PathParam("id") String id) {
        return store.groupSummary(id)
                .map(summary -> summary == null ? groupNotFound(id) : ok(json().summary(summary)));
    }

    @DELETE
    @Path("/groups/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> cancelGroup(@PathParam("id") String id) {
        return store.groupSummary(id).chain(summary -> summary == null
                ? Uni.createFrom().item(groupNotFound(id))
                : queue.existingGroup(id).cancel()
                        .map(n -> ok(json().object().put("groupId", id).put("cancelled", n))));
    }

    /**
     * Attaches a callback to a group: one task in the item form, stored at once and queued exactly once when every
     * task of the group is final (at once if it is already); 201 with its id, 404 for a group without tasks.
     */
    @POST
    @Path("/groups/{id}/callbacks")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public Uni<Response> attachCallback(@PathParam("id") String id, InputStream body,
            @HeaderParam("Content-Length") String contentLength, @Context UriInfo uriInfo) {
        OneTask one = readOneTask(body, contentLength, "a callback is one task");
        if (one.error() != null) {
            return Uni.createFrom().item(one.error());
        }
        return store.groupSummary(id).chain(summary -> summary == null
                ? Uni.createFrom().item(groupNotFound(id))
                : queue.existingGroup(id).onComplete(one.task()).map(handle -> created(uriInfo, handle)))
                .onFailure(IllegalArgumentException.class)
                .recoverWithItem(e -> badRequest(json().error(e.getMessage())));
    }

    // ---------------------------------------------------------------- stats

    @GET
    @Path("/stats")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> stats() {
        return store.stats().map(stats -> ok(json().stats(stats)));
    }

    // ---------------------------------------------------------------- helpers

    /** The one task of a body in the item form, or the response that says why there is none. */
    private record OneTask(TaskSubmission task, Response error) {
    }

    private OneTask readOneTask(InputStream body, String contentLength, String severalHint) {
        Response tooLarge = checkLength(contentLength);
        if (tooLarge != null) {
            return new OneTask(null, tooLarge);
        }
        try (TaskItemReader reader = TaskItemReader.open(limited(body), mapper, TaskItemReader.Format.JSON_LINES)) {
            List<TaskItemReader.Item> items = new ArrayList<>(1);
            reader.forEachRemaining(items::add);
            if (items.size() != 1) {
                return new OneTask(null, badRequest(json().error(items.isEmpty()
                        ? "the body is empty; send one task as {\"type\": ..., \"payload\": ...}"
                        : "the body holds " + items.size() + " JSON values; " + severalHint)));
            }
            TaskItemReader.Item item = items.get(0);
            if (!item.ok()) {
                return new OneTask(null, badRequest(json().error(item.error()).put("line", item.line())));
            }
            return new OneTask(item.task(), null);
        } catch (IOException | UncheckedIOException e) {
            return new OneTask(null, ioFailure(e));
        }
    }

    private BatchSubmission settings(String groupId, String priority, String onDuplicate, String chunkSize,
            String retries, String retryInitialMs, String timeoutSeconds, String idempotencyKey) {
        BatchSubmission batch = BatchSubmission.create();
        if (idempotencyKey != null) {
            try {
                batch.submissionId(idempotencyKey);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("header " + IDEMPOTENCY_KEY + ": " + e.getMessage());
            }
        }
        if (groupId != null && !groupId.isBlank()) {
            batch.groupId(groupId);
        }
        if (priority != null) {
            batch.defaultPriority(intParam("priority", priority, Integer.MIN_VALUE));
        }
        if (onDuplicate != null) {
            try {
                batch.onDuplicate(DuplicateStrategy.valueOf(onDuplicate.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("query parameter onDuplicate must be skip, supersede or fail, not '"
                        + onDuplicate + "'");
            }
        }
        if (chunkSize != null) {
            batch.chunkSize(intParam("chunkSize", chunkSize, 1));
        }
        TaskOptions.Builder options = TaskOptions.builder();
        if (retries != null) {
            options.retries(intParam("retries", retries, 0));
        }
        if (retryInitialMs != null) {
            options.retryPolicy(RetryPolicy.exponential(Duration.ofMillis(intParam("retryInitialMs", retryInitialMs, 1)),
                    config.retry().multiplier()).withMaxInterval(config.retry().maxInterval())
                    .withJitter(config.retry().jitter()));
        }
        if (timeoutSeconds != null) {
            options.timeout(Duration.ofSeconds(intParam("timeoutSeconds", timeoutSeconds, 1)));
        }
        return batch.defaultOptions(options.build());
    }

    private int chunkSize(BatchSubmission settings) {
        return settings.chunkSize() != null ? settings.chunkSize() : config.batch().chunkSize();
    }

    private static int intParam(String name, String value, int min) {
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("query parameter " + name + " must be an integer, not '" + value + "'");
        }
        if (n < min) {
            throw new IllegalArgumentException("query parameter " + name + " must be at least " + min + ", not " + n);
        }
        return n;
    }

    private long limit() {
        return config.rest().maxBodySize().asLongValue();
    }

    private InputStream limited(InputStream body) {
        return new LimitedInputStream(body, limit());
    }

    private Response checkLength(String contentLength) {
        if (contentLength != null) {
            try {
                if (Long.parseLong(contentLength.trim()) > limit()) {
                    return tooLarge(new BodyTooLargeException(limit()));
                }
            } catch (NumberFormatException e) {
                return badRequest(json().error("the Content-Length header is not a number: " + contentLength));
            }
        }
        return null;
    }

    private Response ioFailure(Exception e) {
        Throwable cause = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        return Response.status(cause instanceof BodyTooLargeException ? 413 : 400).type(MediaType.APPLICATION_JSON)
                .entity(json().write(errorOf(cause))).build();
    }

    /** The body of a 413 for a body over the limit, or of a 400 for one that cannot be read. */
    private ObjectNode errorOf(Throwable e) {
        if (e instanceof BodyTooLargeException) {
            return json().error(e.getMessage()).put("limit", limit());
        }
        return json().error("cannot read the request body: " + e.getMessage());
    }

    private Response tooLarge(BodyTooLargeException e) {
        return Response.status(413).type(MediaType.APPLICATION_JSON)
                .entity(json().write(errorOf(e))).build();
    }

    private static void close(ArrayBatchReply reply) {
        if (reply != null) {
            try {
                reply.close();
            } catch (IOException e) {
                LOG.debugf(e, "Cannot delete the spool of a batch reply");
            }
        }
    }

    /** 201 with the task's id, located at {@code .../tasks/{id}} of this API whatever path created it. */
    private Response created(UriInfo uriInfo, TaskHandle handle) {
        String path = uriInfo.getAbsolutePath().toString();
        int groups = path.lastIndexOf("/groups/");
        String tasks = groups >= 0 ? path.substring(0, groups) + "/tasks" : path;
        return Response.status(Response.Status.CREATED).type(MediaType.APPLICATION_JSON)
                .location(URI.create(tasks + "/" + handle.id()))
                .entity(json().write(json().object().put("id", handle.id().toString())
                        .put("taskType", handle.taskType())))
                .build();
    }

    private Response ok(ObjectNode node) {
        return Response.ok(json().write(node), MediaType.APPLICATION_JSON).build();
    }

    private Response badRequest(ObjectNode node) {
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                .entity(json().write(node)).build();
    }

    private Response taskNotFound(TaskId id) {
        return Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
                .entity(json().write(json().error("no task with id " + id))).build();
    }

    private Response groupNotFound(String id) {
        return Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
                .entity(json().write(json().error("no group with id " + id))).build();
    }
}
