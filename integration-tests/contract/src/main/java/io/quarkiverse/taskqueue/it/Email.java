package io.quarkiverse.taskqueue.it;

public record Email(String to, String subject) {
}
