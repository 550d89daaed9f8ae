package dev.ringmeter.server.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar (or, with no end known, a counter) redrawn in place ({@code \r}) on a terminal, at most
 * every 100 ms and once at the end;
 * when the output is not a terminal ({@code System.console() == null}: piped, redirected) it prints nothing at all.
 * <p>
 * Threading: one thread, the command's.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long REDRAW_NS = 100_000_000L;

    private final PrintStream out;
    private final String what;
    private final long total;
    private long lastDrawNs;

    /**
     * @param out   where to draw, or null for no bar.
     * @param what  the unit counted, e.g. "events".
     * @param total the count at the end.
     */
    ProgressBar(final PrintStream out, final String what, final long total) {
        this.out = out;
        this.what = what;
        this.total = total;
    }

    /**
     * @param what  the unit counted.
     * @param total the count at the end.
     * @return a bar on standard output if it is a terminal, else one that draws nothing.
     */
    static ProgressBar onTerminal(final String what, final long total) {
        return new ProgressBar(System.console() != null ? System.out : null, what, total);
    }

    /**
     * @param what the unit counted.
     * @return a counter without an end known beforehand (an export), drawn on standard output if it is a terminal:
     * how many so far, then the last count with {@link #finish}.
     */
    static ProgressBar openEnded(final String what) {
        return onTerminal(what, -1);
    }

    /** @param done how many are done so far. */
    void update(final long done) {
        final long now = System.nanoTime();
        if (out == null || (total < 0 || done < total) && now - lastDrawNs < REDRAW_NS) {
            return;
        }
        lastDrawNs = now;
        if (total < 0) {
            out.print(String.format(Locale.ROOT, "\r%,d %s", done, what));
            out.flush();
            return;
        }
        final int filled = total == 0 ? WIDTH : (int)(WIDTH * Math.min(done, total) / total);
        out.print(String.format(Locale.ROOT, "\r[%s%s] %3d%% %,d/%,d %s", "#".repeat(filled),
            " ".repeat(WIDTH - filled), total == 0 ? 100 : 100 * Math.min(done, total) / total, done, total, what));
        if (done >= total) {
            out.println();
        }
        out.flush();
    }

    /** @param done the last count of an open-ended counter: drawn, and the line ended. */
    void finish(final long done) {
        if (out != null) {
            out.println(String.format(Locale.ROOT, "\r%,d %s", done, what));
            out.flush();
        }
    }
}
