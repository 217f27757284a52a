package io.quarkiverse.taskqueue.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Progress on stderr: a bar redrawn in place when stderr is a terminal ({@code System.console() != null}),
 * otherwise a plain line every few seconds, so that logs of scripted runs stay readable.
 */
final class Progress implements AutoCloseable {

    private final String what;
    private final LongSupplier done;
    private final DoubleSupplier fraction;
    private final PrintStream err = System.err;
    private final boolean terminal = System.console() != null;
    private final long start = System.nanoTime();
    private final ScheduledExecutorService ticker;

    /**
     * @param done how many are done
     * @param fraction how much of the work is done, 0 to 1, or a negative number when it is not known
     */
    Progress(String what, LongSupplier done, DoubleSupplier fraction) {
        this.what = what;
        this.done = done;
        this.fraction = fraction;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "taskqueue-progress");
            t.setDaemon(true);
            return t;
        });
        long period = terminal ? 200 : 2000;
        ticker.scheduleAtFixedRate(this::print, period, period, TimeUnit.MILLISECONDS);
    }

    private void print() {
        long n = done.getAsLong();
        double elapsed = (System.nanoTime() - start) / 1e9;
        double rate = elapsed > 0 ? n / elapsed : 0;
        String eta = "";
        double fraction = Math.min(1.0, this.fraction.getAsDouble());
        if (fraction > 0 && fraction < 1) {
            long secondsLeft = Math.round(elapsed / fraction - elapsed);
            eta = String.format(Locale.ROOT, "  ETA %d:%02d", secondsLeft / 60, secondsLeft % 60);
        }
        if (terminal) {
            String bar = "";
            if (fraction >= 0) {
                int width = 30;
                int filled = (int) Math.round(fraction * width);
                bar = "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] "
                        + String.format(Locale.ROOT, "%3d%% ", Math.round(fraction * 100));
            }
            err.printf(Locale.ROOT, "\r%s%s %,d  %,.0f/s%s   ", bar, what, n, rate, eta);
        } else {
            err.printf(Locale.ROOT, "%s: %,d (%,.0f/s)%s%n", what, n, rate, eta);
        }
        err.flush();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        if (terminal) {
            print();
            err.println();
        }
    }
}
