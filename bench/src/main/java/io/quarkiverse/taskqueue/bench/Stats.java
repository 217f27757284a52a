package io.quarkiverse.taskqueue.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Rates (tasks/s) of the measured rounds of one figure, and how they are printed as a result row. */
final class Stats {

    final String name;
    private final List<Double> rates = new ArrayList<>();

    Stats(String name) {
        this.name = name;
    }

    /** Records a round of {@code tasks} that took {@code nanos}; returns the rate. */
    double add(int tasks, long nanos) {
        double rate = tasks / (nanos / 1e9);
        rates.add(rate);
        return rate;
    }

    double median() {
        List<Double> s = sorted();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    double min() {
        return sorted().get(0);
    }

    double max() {
        return sorted().get(rates.size() - 1);
    }

    private List<Double> sorted() {
        List<Double> s = new ArrayList<>(rates);
        s.sort(null);
        return s;
    }

    static String rate(double r) {
        return String.format(Locale.ROOT, "%,.0f/s", r);
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2f×", r);
    }

    /** Prints a result row: {@code this} against {@code baseline}; a target as a minimum ratio (NaN: none). */
    void row(String scenario, Stats baseline, double minRatio, String targetText) {
        double ratio = baseline == null ? Double.NaN : median() / baseline.median();
        String vs = baseline == null ? "(baseline)" : ratio(ratio) + " " + baseline.name;
        String met = Double.isNaN(minRatio) ? "-" : ratio >= minRatio ? "YES" : "NO";
        Report.row(scenario, name, rate(median()), rate(min()) + " – " + rate(max()), vs, targetText, met);
    }
}
