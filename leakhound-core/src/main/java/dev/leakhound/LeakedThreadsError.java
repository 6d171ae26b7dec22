package dev.leakhound;

/** Thrown by {@link Leakhound#verifyNone(LeakOptions)} when threads leaked; the message is the report. */
public final class LeakedThreadsError extends AssertionError {
    private final transient LeakReport report;

    public LeakedThreadsError(LeakReport report) {
        super(report.toString());
        this.report = report;
    }

    public LeakReport report() {
        return report;
    }
}
