package io.quarkiverse.taskqueue.runtime.rest;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * The elements of one JSON array of a reply, written as they come and copied into the reply at the end: in
 * memory up to {@value #IN_MEMORY} bytes, in a temporary file beyond, so a reply that lists a million task ids
 * does not hold them in the heap.
 */
final class JsonSpool implements Closeable {

    static final int IN_MEMORY = 256 * 1024;

    private final Spill out = new Spill();
    private final JsonGenerator generator;

    JsonSpool(JsonFactory factory) throws IOException {
        generator = factory.createGenerator(out);
        generator.setRootValueSeparator(new SerializedString(","));
    }

    /** Writes the next element (a value at the generator's root, separated from the previous one by a comma). */
    JsonGenerator generator() {
        return generator;
    }

    /** Copies the elements written, comma-separated, to {@code target}. */
    void copyTo(OutputStream target) throws IOException {
        generator.flush();
        out.copyTo(target);
    }

    @Override
    public void close() throws IOException {
        try {
            generator.close();
        } finally {
            out.delete();
        }
    }

    /** Bytes in memory until there are too many, then in a temporary file. */
    private static final class Spill extends OutputStream {

        private ByteArrayOutputStream memory = new ByteArrayOutputStream();
        private Path file;
        private OutputStream fileOut;

        @Override
        public void write(int b) throws IOException {
            target(1).write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            target(length).write(bytes, offset, length);
        }

        private OutputStream target(int more) throws IOException {
            if (fileOut == null && memory.size() + more > IN_MEMORY) {
                file = Files.createTempFile("taskqueue-reply-", ".json");
                fileOut = Files.newOutputStream(file);
                memory.writeTo(fileOut);
                memory = null;
            }
            return fileOut != null ? fileOut : memory;
        }

        @Override
        public void flush() throws IOException {
            if (fileOut != null) {
                fileOut.flush();
            }
        }

        void copyTo(OutputStream target) throws IOException {
            if (fileOut != null) {
                fileOut.flush();
                Files.copy(file, target);
            } else {
                memory.writeTo(target);
            }
        }

        void delete() throws IOException {
            if (fileOut != null) {
                fileOut.close();
                Files.deleteIfExists(file);
            }
        }
    }
}
