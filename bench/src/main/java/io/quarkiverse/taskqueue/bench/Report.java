package io.quarkiverse.taskqueue.bench;

/** Result rows go to stdout with a marker; the orchestrator collects them into the final table. */
final class Report {

    private Report() {
    }

    static void row(String... cells) {
        System.out.println(BenchMain.ROW + String.join("\t", cells));
        System.out.flush();
    }

    static void say(String format, Object... args) {
        System.out.printf(format + "%n", args);
        System.out.flush();
    }
}
