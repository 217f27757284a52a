package io.quarkiverse.taskqueue.runtime.rest;

import java.io.IOException;

/** A request body went over {@code quarkus.taskqueue.rest.max-body-size}. */
final class BodyTooLargeException extends IOException {

    private static final long serialVersionUID = 1L;

    BodyTooLargeException(long limit) {
        super("the request body is larger than " + limit + " bytes, the limit set by "
                + "quarkus.taskqueue.rest.max-body-size; send big batches as application/x-ndjson, which is streamed");
    }
}
