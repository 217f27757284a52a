package org.acme;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkiverse.taskqueue.TaskHandler;

@ApplicationScoped
public class RowImporter {

    /** Runs on a TaskQueue worker thread, retried if it throws; the returned value is the task's result. */
    @TaskHandler("import_row")
    int importRow(Row row) {
        return row.name().length();
    }
}
