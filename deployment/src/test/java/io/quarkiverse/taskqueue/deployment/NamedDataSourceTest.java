package io.quarkiverse.taskqueue.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.taskqueue.TaskHandler;
import io.quarkiverse.taskqueue.TaskQueue;
import io.quarkus.test.QuarkusUnitTest;

/** quarkus.taskqueue.datasource keeps the tasks in an SQLite datasource of the application's. */
public class NamedDataSourceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    // the test class is loaded twice (here and by the application): a name both copies agree on
    private static final String FILE = "target/orders-" + ProcessHandle.current().pid() + ".db";

    @RegisterExtension
    static final QuarkusUnitTest config = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Greeter.class))
            .overrideConfigKey("quarkus.datasource.orders.db-kind", "sqlite")
            .overrideConfigKey("quarkus.datasource.orders.jdbc.url", "jdbc:sqlite:" + FILE)
            .overrideConfigKey("quarkus.datasource.orders.jdbc.transactions", "disabled")
            .overrideConfigKey("quarkus.taskqueue.datasource", "orders");

    @Inject
    TaskQueue queue;

    @Test
    void tasksAreKeptInTheNamedDatasourceAndRun() throws Exception {
        String greeting = queue.submit("greet", "Ada").await().atMost(TIMEOUT).value(String.class)
                .await().atMost(TIMEOUT);

        assertEquals("Hello Ada", greeting);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + FILE); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM tq_task WHERE type = 'greet'")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
    }

    public static class Greeter {
        @TaskHandler("greet")
        String greet(String name) {
            return "Hello " + name;
        }
    }
}
