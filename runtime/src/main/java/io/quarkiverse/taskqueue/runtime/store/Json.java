package io.quarkiverse.taskqueue.runtime.store;

import java.util.Collection;

import io.quarkiverse.taskqueue.TaskId;

/** The small JSON arrays handed to SQLite's {@code json_each}. */
final class Json {

    private Json() {
    }

    static String ids(Collection<TaskId> ids) {
        StringBuilder sb = new StringBuilder(ids.size() * 8).append('[');
        for (TaskId id : ids) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(id.value());
        }
        return sb.append(']').toString();
    }

    static String array(Collection<String> values) {
        StringBuilder sb = new StringBuilder("[");
        for (String v : values) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            appendString(sb, v);
        }
        return sb.append(']').toString();
    }

    static void appendString(StringBuilder sb, String value) {
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        sb.append('"');
    }
}
