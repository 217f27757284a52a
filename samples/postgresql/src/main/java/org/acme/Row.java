package org.acme;

/** One row of an import: the payload of an {@code import_row} task. */
public record Row(int line, String name) {
}
