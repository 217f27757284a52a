package io.quarkiverse.taskqueue.runtime.json;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.quarkiverse.taskqueue.TaskSubmission;

/**
 * Reads task items one at a time from a JSON array or from JSON Lines, keeping only the current item in memory.
 * A bad item is returned as an error with its line number and the reading goes on; in JSON Lines a malformed line
 * spoils only itself, in a JSON array malformed JSON ends the reading (the parser cannot find the next element).
 */
public final class TaskItemReader implements Iterator<TaskItemReader.Item>, AutoCloseable {

    /** How the input is laid out. */
    public enum Format {
        JSON_ARRAY,
        JSON_LINES
    }

    /**
     * One item of the input: either a task or the reason it is not one. {@code line} is 1-based; in a JSON array
     * it is the line where the item starts. {@code fatal}: the input cannot be read on after it (broken JSON in
     * an array, or not an array at all), so this is the last item.
     */
    public record Item(long line, TaskSubmission task, String error, boolean fatal) {
        Item(long line, TaskSubmission task, String error) {
            this(line, task, error, false);
        }

        public boolean ok() {
            return task != null;
        }
    }

    private final TaskItems items;
    private final ObjectReader lineReader;
    private final Format format;
    private final BufferedReader lines;
    private final JsonParser parser;
    private final InputStream source;
    private long lineNumber;
    private Item next;
    private boolean done;
    private boolean started;

    private TaskItemReader(InputStream in, ObjectMapper mapper, Format format) throws IOException {
        this.items = new TaskItems(mapper);
        this.lineReader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.format = format;
        this.source = in;
        if (format == Format.JSON_LINES) {
            this.lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 64 * 1024);
            this.parser = null;
        } else {
            this.lines = null;
            this.parser = mapper.getFactory().createParser(in);
        }
    }

    /** Reads {@code in} in the format it is in (see {@link #detect}). */
    public static TaskItemReader open(InputStream in, ObjectMapper mapper) throws IOException {
        BufferedInputStream buffered = in instanceof BufferedInputStream b ? b : new BufferedInputStream(in, 64 * 1024);
        return new TaskItemReader(buffered, mapper, detect(buffered));
    }

    public static TaskItemReader open(InputStream in, ObjectMapper mapper, Format format) throws IOException {
        return new TaskItemReader(in, mapper, format);
    }

    /**
     * A JSON array starts with {@code [} followed by an element ({@code {}, {@code [}) or {@code ]}; anything
     * else is JSON Lines, including a first line that is a pair, {@code ["send_email", {...}]}. Reads ahead
     * within the stream's mark and resets it.
     */
    public static Format detect(BufferedInputStream in) throws IOException {
        in.mark(64 * 1024);
        try {
            int c = skipWhitespace(in);
            if (c == 0xEF) { // a UTF-8 byte order mark
                in.read();
                in.read();
                c = skipWhitespace(in);
            }
            if (c != '[') {
                return Format.JSON_LINES;
            }
            int second = skipWhitespace(in);
            return second == '"' ? Format.JSON_LINES : Format.JSON_ARRAY;
        } finally {
            in.reset();
        }
    }

    private static int skipWhitespace(InputStream in) throws IOException {
        int c;
        int n = 0;
        do {
            c = in.read();
            n++;
        } while ((c == ' ' || c == '\t' || c == '\r' || c == '\n') && n < 60 * 1024);
        return c;
    }

    public Format format() {
        return format;
    }

    /** The number of the line read last (JSON Lines) or where the parser is (JSON array). */
    public long lineNumber() {
        return format == Format.JSON_LINES ? lineNumber : parser.currentLocation().getLineNr();
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            try {
                next = format == Format.JSON_LINES ? nextLine() : nextElement();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the input at line " + lineNumber() + ": " + e.getMessage(),
                        e);
            }
            if (next == null) {
                done = true;
            }
        }
        return next != null;
    }

    @Override
    public Item next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Item item = next;
        next = null;
        return item;
    }

    private Item nextLine() throws IOException {
        String line;
        while ((line = lines.readLine()) != null) {
            lineNumber++;
            if (lineNumber == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = lineReader.readTree(line);
            } catch (JsonProcessingException e) {
                return new Item(lineNumber, null, "malformed JSON: " + e.getOriginalMessage() + " (column "
                        + e.getLocation().getColumnNr() + ")");
            }
            return item(lineNumber, node);
        }
        return null;
    }

    private Item nextElement() throws IOException {
        try {
            JsonToken token = parser.nextToken();
            if (!started) {
                started = true;
                if (token == null) {
                    return null;
                }
                if (token != JsonToken.START_ARRAY) {
                    done = true;
                    return new Item(parser.getTokenLocation().getLineNr(), null,
                            "the input must be a JSON array of items or JSON Lines, not " + token, true);
                }
                token = parser.nextToken();
            }
            if (token == JsonToken.END_ARRAY) {
                JsonToken after = parser.nextToken();
                done = true;
                return after == null ? null
                        : new Item(parser.getTokenLocation().getLineNr(), null,
                                "unexpected content after the end of the JSON array", true);
            }
            if (token == null) {
                done = true;
                return new Item(parser.currentLocation().getLineNr(), null,
                        "the JSON array is not closed (missing ']')", true);
            }
            long line = parser.getTokenLocation().getLineNr();
            JsonNode node = parser.readValueAsTree();
            return item(line, node);
        } catch (JsonProcessingException e) {
            done = true;
            JsonLocation where = e.getLocation();
            return new Item(where == null ? parser.currentLocation().getLineNr() : where.getLineNr(), null,
                    "malformed JSON, the rest of the array cannot be read: " + e.getOriginalMessage(), true);
        }
    }

    private Item item(long line, JsonNode node) {
        try {
            return new Item(line, items.read(node), null);
        } catch (IllegalArgumentException e) {
            return new Item(line, null, e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        if (parser != null) {
            parser.close();
        }
        if (lines != null) {
            lines.close();
        }
        source.close();
    }
}
