package io.quarkiverse.taskqueue.runtime.store.pg;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.quarkiverse.taskqueue.runtime.config.TaskQueueConfig;
import io.quarkiverse.taskqueue.runtime.store.CallerTransaction;
import io.quarkiverse.taskqueue.runtime.store.TransactionJoiner;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Finds the Hibernate Reactive transaction the caller is in ({@code @WithTransaction}, {@code Panache.withTransaction},
 * {@code Mutiny.SessionFactory.withTransaction}): the session Hibernate keeps on the caller's Vert.x context, when
 * a transaction is open on it. Registered only in an application with Hibernate Reactive on the PostgreSQL store.
 */
@Singleton
public class HibernateReactiveJoiner implements TransactionJoiner {

    private static final Logger LOG = Logger.getLogger(HibernateReactiveJoiner.class);

    @Inject
    Mutiny.SessionFactory sessionFactory;

    private final boolean sameDatasource;

    @Inject
    HibernateReactiveJoiner(TaskQueueConfig config) {
        // the default persistence unit's datasource, as Hibernate reads it
        String hibernate = ConfigProvider.getConfig().getOptionalValue("quarkus.hibernate-orm.datasource", String.class)
                .orElse("<default>");
        String queue = config.datasource().orElse("<default>");
        sameDatasource = hibernate.equals(queue);
        if (!sameDatasource) {
            LOG.infof("Submissions do not join Hibernate Reactive transactions: the queue is on datasource %s, "
                    + "Hibernate's default persistence unit on %s", queue, hibernate);
        }
    }

    @Override
    public CallerTransaction current() {
        Context context = Vertx.currentContext();
        if (!sameDatasource || context == null) {
            return null;
        }
        Mutiny.Session session;
        try {
            session = sessionFactory.getCurrentSession();
        } catch (IllegalStateException e) {
            // not on a duplicated context Hibernate may use: the caller has no session here
            LOG.tracef("No Hibernate Reactive session on this context: %s", e.getMessage());
            return null;
        }
        if (session == null || session.currentTransaction() == null) {
            return null;
        }
        return new HibernateTransaction(session, context);
    }
}
