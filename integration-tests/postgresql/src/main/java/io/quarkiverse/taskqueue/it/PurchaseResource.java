package io.quarkiverse.taskqueue.it;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import io.quarkiverse.taskqueue.BatchSubmission;
import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkiverse.taskqueue.TaskSubmission;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * Enqueueing inside the application's transaction, as a user writes it: a purchase and its lines (one task each)
 * are written in one {@code @WithTransaction}, or neither is.
 */
@Path("/purchases")
public class PurchaseResource {

    /** Lines run, by purchase name. */
    static final Map<String, AtomicInteger> LINES_RUN = new ConcurrentHashMap<>();

    @Inject
    TaskQueue queue;

    @POST
    @Path("/{name}")
    @WithTransaction
    public Uni<Integer> create(@PathParam("name") String name, @QueryParam("lines") int lines,
            @QueryParam("failAfterSubmit") @DefaultValue("false") boolean failAfterSubmit) {
        Purchase purchase = new Purchase();
        purchase.name = name;
        return purchase.persist()
                .chain(() -> queue.submitBatch(BatchSubmission.create().groupId(name).chunkSize(4_000)
                        .tasks(IntStream.range(0, lines).mapToObj(i -> TaskSubmission.of("purchase_line", name)))))
                .map(outcome -> {
                    if (failAfterSubmit) {
                        throw new IllegalStateException("the purchase failed after its lines were submitted");
                    }
                    return outcome.submitted().size();
                });
    }

    @GET
    @Path("/{name}")
    @WithSession
    public Uni<Long> count(@PathParam("name") String name) {
        return Purchase.count("name", name);
    }

    @GET
    @Path("/{name}/lines-run")
    public int linesRun(@PathParam("name") String name) {
        AtomicInteger n = LINES_RUN.get(name);
        return n == null ? 0 : n.get();
    }

    @TaskHandler("purchase_line")
    void purchaseLine(String purchase) {
        LINES_RUN.computeIfAbsent(purchase, k -> new AtomicInteger()).incrementAndGet();
    }
}
