package io.quarkiverse.taskqueue.runtime.rest;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkiverse.taskqueue.BatchFailure;
import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.Superseded;
import io.quarkiverse.taskqueue.TaskId;
import io.quarkiverse.taskqueue.runtime.json.CappedList;
import io.quarkiverse.taskqueue.runtime.json.LineIndex;

/**
 * The reply to a JSON array sent to {@code POST /batches}, gathered chunk by chunk as the batch commits:
 * {@code {"batchId", "submitted": [ids], "deduplicated": [keys], "superseded": [{"task", "replaced"}],
 * "failed": [the first failures by index], "failedCount"}}, preceded by {@code "error"} and its details when the
 * body could not be read to its end. Ids, keys and pairs are spooled (see {@link JsonSpool}); of the failures only
 * the first {@value CappedList#LISTED_FAILURES} are kept, the others are counted. So the memory of a request does
 * not grow with its items.
 */
final class ArrayBatchReply implements AutoCloseable {

    /** A rejected item: its array index, its line (or -1), its task type (or null) and the reason. */
    record Failure(long index, long line, String taskType, String message) {
    }

    private final ObjectMapper mapper;
    private final JsonSpool submitted;
    private final JsonSpool deduplicated;
    private final JsonSpool superseded;
    private final CappedList<Failure> failures = new CappedList<>(CappedList.LISTED_FAILURES,
            Comparator.comparingLong(Failure::index));
    private String batchId;
    private int errorStatus;
    private ObjectNode error;

    ArrayBatchReply(ObjectMapper mapper) throws IOException {
        this.mapper = mapper;
        this.submitted = new JsonSpool(mapper.getFactory());
        this.deduplicated = new JsonSpool(mapper.getFactory());
        this.superseded = new JsonSpool(mapper.getFactory());
    }

    /** An item that was not handed to the batch. */
    void rejected(long index, long line, String reason) {
        failures.add(new Failure(index, line, null, reason));
    }

    /** A committed chunk; {@code lines} knows the array index and line of each of its tasks. */
    void committed(BatchOutcome outcome, LineIndex lines) throws IOException {
        batchId = outcome.batchId();
        for (TaskId id : outcome.submitted()) {
            submitted.generator().writeString(id.toString());
        }
        for (String key : outcome.deduplicated()) {
            deduplicated.generator().writeString(key);
        }
        for (Superseded s : outcome.superseded()) {
            JsonGenerator g = superseded.generator();
            g.writeStartObject();
            g.writeStringField("task", s.task().toString());
            g.writeStringField("replaced", s.replaced().toString());
            g.writeEndObject();
        }
        for (BatchFailure f : outcome.failed()) {
            failures.add(new Failure(lines.positionOf(f.index()), lines.lineOf(f.index()), f.taskType(),
                    f.message()));
        }
    }

    /**
     * The body broke off at array index {@code index}, after some chunks were written: the reply gets
     * {@code status} and the error first.
     */
    void brokeOff(int status, ObjectNode error, long index) {
        this.errorStatus = status;
        this.error = error.put("index", index).put("note", "the items before index " + index
                + " were handled as this outcome lists; none from index " + index + " on was submitted");
    }

    /** 201 when every item was submitted, 400 when some were rejected, or the status of a broken body. */
    Response response() {
        int status = error != null ? errorStatus : failures.count() == 0 ? 201 : 400;
        StreamingOutput body = this::write;
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }

    private void write(OutputStream target) throws IOException {
        try (JsonGenerator g = mapper.getFactory().createGenerator(target)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            if (error != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = error.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> field = it.next();
                    g.writeFieldName(field.getKey());
                    g.writeTree(field.getValue());
                }
            }
            g.writeStringField("batchId", batchId);
            spooled(g, "submitted", submitted, target);
            spooled(g, "deduplicated", deduplicated, target);
            spooled(g, "superseded", superseded, target);
            g.writeArrayFieldStart("failed");
            for (Failure f : failures.listed()) {
                g.writeStartObject();
                g.writeNumberField("index", f.index());
                if (f.line() > 0) {
                    g.writeNumberField("line", f.line());
                }
                g.writeStringField("taskType", f.taskType());
                g.writeStringField("message", f.message());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("failedCount", failures.count());
            g.writeEndObject();
        } finally {
            close();
        }
    }

    /** An array whose elements come from a spool: the generator writes the brackets, the spool what is between. */
    private static void spooled(JsonGenerator g, String name, JsonSpool spool, OutputStream target)
            throws IOException {
        g.writeArrayFieldStart(name);
        g.flush();
        spool.copyTo(target);
        g.writeEndArray();
    }

    @Override
    public void close() throws IOException {
        try (submitted; deduplicated; superseded) {
            // each spool deletes its temporary file, if it has one
        }
    }
}
