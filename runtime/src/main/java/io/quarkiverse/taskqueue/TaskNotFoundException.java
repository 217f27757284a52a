package io.quarkiverse.taskqueue;

/** No task has this id in the store. */
public class TaskNotFoundException extends RuntimeException {

    private final TaskId taskId;

    public TaskNotFoundException(TaskId taskId) {
        super("No task with id " + taskId);
        this.taskId = taskId;
    }

    public TaskId taskId() {
        return taskId;
    }
}
