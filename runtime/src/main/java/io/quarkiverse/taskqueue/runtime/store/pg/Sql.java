package io.quarkiverse.taskqueue.runtime.store.pg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Where the store's statements run: a pool or a connection of the reactive client, or the session of a caller's
 * Hibernate Reactive transaction ({@link HibernateTransaction}), so that the same statements write a chunk in
 * either. Parameters are {@code $1, $2, ...}; a Java array binds as a PostgreSQL array.
 */
interface Sql {

    /** Runs {@code sql}; emits its rows (none for a statement without a result). */
    Uni<List<SqlRow>> query(String sql, Object... params);

    static Sql of(SqlClient client) {
        return (sql, params) -> (params.length == 0 ? client.query(sql).execute()
                : client.preparedQuery(sql).execute(Tuple.from(Arrays.asList(params)))).map(Sql::rows);
    }

    /** The rows of a result, by value. */
    static List<SqlRow> rows(RowSet<Row> rows) {
        List<SqlRow> list = new ArrayList<>(rows.size());
        for (Row r : rows) {
            Object[] values = new Object[r.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = r.getValue(i);
            }
            list.add(new SqlRow(values));
        }
        return list;
    }

    /** One row, read by column index; numbers come back as whatever {@link Number} the driver gives. */
    record SqlRow(Object[] values) {

        Long getLong(int i) {
            return values[i] == null ? null : ((Number) values[i]).longValue();
        }

        Integer getInteger(int i) {
            return values[i] == null ? null : ((Number) values[i]).intValue();
        }

        String getString(int i) {
            return (String) values[i];
        }

        Boolean getBoolean(int i) {
            return (Boolean) values[i];
        }
    }
}
