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
import io.smallrye.mutiny.Uni;

@Path("/import/{name}")
public class ImportResource {

    @Inject
    TaskQueue queue;

    /** {@code POST /import/jan?count=10000}: one import_row task per row, in one batch, grouped under the name. */
    @POST
    public Uni<BatchOutcome> start(@PathParam("name") String name, @QueryParam("count") @DefaultValue("100") int count) {
        return queue.submitBatch(BatchSubmission.create()
                .groupId(name)
                .tasks(IntStream.rangeClosed(1, count)
                        .mapToObj(i -> TaskSubmission.of("import_row", new Row(i, "row " + i))
                                .dedupKey(name + ":" + i)))); // submitting the same import twice queues it once
    }

    /** {@code GET /import/jan}: how many of the import's tasks are queued, running, succeeded, failed. */
    @GET
    public Uni<GroupSummary> progress(@PathParam("name") String name) {
        return queue.existingGroup(name).summary()
                .onFailure(IllegalArgumentException.class).transform(e -> new NotFoundException(e.getMessage()));
    }
}
