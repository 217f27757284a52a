package io.quarkiverse.taskqueue.runtime.store;

import javax.sql.DataSource;

import io.quarkus.agroal.runtime.AgroalDataSourceUtil;

/**
 * A datasource of the application's, named by {@code quarkus.taskqueue.datasource}. Only loaded when that key is
 * set: the application then has {@code quarkus-agroal} (and {@code quarkus-jdbc-sqlite}), the extension does not
 * need them otherwise.
 */
public final class NamedDataSource {

    private NamedDataSource() {
    }

    public static DataSource lookup(String name) {
        try {
            Class.forName("io.quarkus.agroal.runtime.AgroalDataSourceUtil", false, NamedDataSource.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("quarkus.taskqueue.datasource=" + name + " names a datasource, but the "
                    + "application has no datasources: add the io.quarkus:quarkus-agroal and "
                    + "io.quarkiverse.jdbc:quarkus-jdbc-sqlite extensions, or remove the key to use the embedded file "
                    + "(quarkus.taskqueue.sqlite.path)");
        }
        return AgroalDataSourceUtil.dataSourceIfActive(name)
                .orElseThrow(() -> new IllegalStateException("quarkus.taskqueue.datasource=" + name
                        + ": no active datasource of that name"));
    }
}
