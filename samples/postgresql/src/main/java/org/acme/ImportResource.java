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
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

@Path("/import/{name}")
public class ImportResource {

    @Inject
    TaskQueue queue;

    /**
     * Records the import and queues one import_row task per row in ONE transaction: both are committed, or
     * neither ({@code ?fail=true} fails after the submit, to show it).
     */
    @POST
    public Uni<BatchOutcome> start(@PathParam("name") String name, @QueryParam("count") @DefaultValue("100") int count,
            @QueryParam("fail") @DefaultValue("false") boolean fail) {
        ImportRun run = new ImportRun();
        run.name = name;
        run.rows = count;
        return Panache.withTransaction(() -> run.persist()
                .chain(() -> queue.submitBatch(BatchSubmission.create()
                        .groupId(name)
                        .tasks(IntStream.rangeClosed(1, count)
                                .mapToObj(i -> TaskSubmission.of("import_row", new Row(i, "row " + i))
                                        .dedupKey(name + ":" + i)))))
                .invoke(outcome -> {
                    if (fail) {
                        throw new IllegalStateException("the import failed after its rows were queued");
                    }
                }));
    }

    @GET
    public Uni<GroupSummary> progress(@PathParam("name") String name) {
        return queue.existingGroup(name).summary()
                .onFailure(IllegalArgumentException.class).transform(e -> new NotFoundException(e.getMessage()));
    }

    /** {@code GET /import/jan/runs}: how many imports of that name PostgreSQL holds. */
    @GET
    @Path("runs")
    public Uni<Long> runs(@PathParam("name") String name) {
        return Panache.withSession(() -> ImportRun.count("name", name));
    }
}
