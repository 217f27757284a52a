package io.quarkiverse.taskqueue.runtime.store;

/** A submission id given again with other tasks: the call fails as a whole, naming the id; nothing is written. */
public class SubmissionMismatchException extends IllegalArgumentException {

    public SubmissionMismatchException(String submissionId, String why) {
        super("Submission id \"" + submissionId + "\" was used before for other tasks: " + why
                + ". Resubmit exactly the same tasks to resume it, or use a new submission id");
    }
}
