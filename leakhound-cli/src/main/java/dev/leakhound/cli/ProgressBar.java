package dev.leakhound.cli;

import dev.leakhound.hprof.Progress;
import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on standard error, for a terminal: it appears only once the work has taken more
 * than a second, redraws at most ten times a second, and erases itself when done. Use {@link #forTerminal()},
 * which gives {@link Progress#NONE} when there is no console (output redirected, tests, CI).
 */
public final class ProgressBar implements Progress {
    private static final long DELAY_NANOS = 1_000_000_000L;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final LongSupplier clock;
    private final long start;
    private long lastDraw;
    private int lastLength;
    private boolean shown;

    ProgressBar(PrintStream out) {
        this(out, System::nanoTime);
    }

    /** With the clock given, in nanoseconds: a test's, so that when a second has passed is the test's to say. */
    ProgressBar(PrintStream out, LongSupplier nanoClock) {
        this.out = out;
        this.clock = nanoClock;
        this.start = nanoClock.getAsLong();
    }

    /** A bar on {@code System.err} when {@code System.console() != null}, else {@link Progress#NONE}. */
    public static Progress forTerminal() {
        return System.console() != null ? new ProgressBar(System.err) : NONE;
    }

    @Override
    public void update(String phase, long done, long total) {
        long now = clock.getAsLong();
        if (now - start < DELAY_NANOS || (shown && now - lastDraw < REDRAW_NANOS)) {
            return;
        }
        lastDraw = now;
        shown = true;
        StringBuilder sb = new StringBuilder("\r").append(phase).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, done * WIDTH / total);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ")
                    .append(Math.min(100, done * 100 / total)).append("% ");
        }
        sb.append(done >> 20).append(total > 0 ? "/" + (total >> 20) : "").append(" MB");
        int visible = sb.length() - 1;
        if (visible < lastLength) {
            sb.append(" ".repeat(lastLength - visible));     // over the rest of a longer line
        }
        lastLength = visible;
        out.print(sb);
        out.flush();
    }

    @Override
    public void done() {
        if (shown) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
            shown = false;
        }
    }
}
