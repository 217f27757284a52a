package org.acme;

import java.util.stream.IntStream;

import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import io.quarkiverse.taskqueue.BatchOutcome;
import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.GroupSummary;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.mutiny.Uni;

@Path("/import/{name}")
public class ImportResource {

    @Inject
    TaskQueue queue;

    /**
     * Records the import in PostgreSQL, then queues one import_row task per row in the queue's own store. The
     * store does not take part in JTA transactions, so the tasks are submitted once the entity is committed.
     */
    @POST
    public BatchOutcome start(@PathParam("name") String name, @QueryParam("count") @DefaultValue("100") int count) {
        QuarkusTransaction.requiringNew().run(() -> {
            ImportRun run = new ImportRun();
            run.name = name;
            run.rows = count;
            run.persist();
        });
        return queue.submitBatch(BatchSubmission.create()
                .groupId(name)
                .tasks(IntStream.rangeClosed(1, count)
                        .mapToObj(i -> TaskSubmission.of("import_row", new Row(i, "row " + i))
                                .dedupKey(name + ":" + i))))
                .await().indefinitely(); // a blocking endpoint: runs on a worker thread
    }

    @GET
    public Uni<GroupSummary> progress(@PathParam("name") String name) {
        return queue.existingGroup(name).summary()
                .onFailure(IllegalArgumentException.class).transform(e -> new NotFoundException(e.getMessage()));
    }

    /** {@code GET /import/jan/runs}: how many imports of that name PostgreSQL holds. */
    @GET
    @Path("runs")
    public long runs(@PathParam("name") String name) {
        return ImportRun.count("name", name);
    }
}
