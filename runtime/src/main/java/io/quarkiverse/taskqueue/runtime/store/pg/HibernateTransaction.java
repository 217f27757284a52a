package io.quarkiverse.taskqueue.runtime.store.pg;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.hibernate.reactive.mutiny.Mutiny;

import io.quarkiverse.taskqueue.runtime.store.CallerTransaction;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;

/**
 * The caller's Hibernate Reactive transaction, as a place to run the store's statements: native queries of its
 * session, run one at a time on the session's own Vert.x context (a session must not be used from another
 * thread). A native query first flushes the session, so entities persisted before the submit are written first.
 */
final class HibernateTransaction implements CallerTransaction, Sql {

    private static final Pattern CAST_PARAMETER = Pattern.compile("\\$(\\d+)::(\\w+(\\[\\])?)");
    private static final Pattern DOLLAR_PARAMETER = Pattern.compile("\\$(\\d+)");

    private final Mutiny.Session session;
    private final Context context;

    HibernateTransaction(Mutiny.Session session, Context context) {
        this.session = session;
        this.context = context;
    }

    @Override
    public String description() {
        return "the caller's Hibernate Reactive transaction";
    }

    @Override
    public Uni<List<SqlRow>> query(String sql, Object... params) {
        return Uni.createFrom().deferred(() -> {
            // JPA positional parameters (?1), which Hibernate turns into the driver's $1; its parser does not take
            // a ?1::type cast, so that becomes CAST(?1 AS type)
            String jpa = DOLLAR_PARAMETER.matcher(CAST_PARAMETER.matcher(sql).replaceAll("CAST(\\$$1 AS $2)"))
                    .replaceAll("?$1");
            String start = sql.stripLeading().toUpperCase(Locale.ROOT);
            boolean hasRows = start.startsWith("SELECT") || start.startsWith("WITH") || sql.contains("RETURNING");
            Mutiny.Query<Object> query = session.createNativeQuery(jpa);
            for (int i = 0; i < params.length; i++) {
                query.setParameter(i + 1, params[i]);
            }
            return hasRows ? query.getResultList().map(HibernateTransaction::rows)
                    : query.executeUpdate().map(n -> List.<SqlRow> of());
        }).runSubscriptionOn(command -> context.runOnContext(v -> command.run()));
    }

    private static List<SqlRow> rows(List<Object> results) {
        List<SqlRow> rows = new ArrayList<>(results.size());
        for (Object r : results) {
            rows.add(new SqlRow(r instanceof Object[] values ? values : new Object[] { r }));
        }
        return rows;
    }
}
