package dev.leakhound.model;

/** Where a {@link ThreadDump} came from. */
public enum DumpFormat {
    /** Captured from this JVM while it runs. */
    LIVE("live capture"),
    /** The JDK's JSON thread dump ({@code jcmd PID Thread.dump_to_file -format=json}), JDK 21 and later. */
    JDK_JSON("JDK JSON thread dump"),
    /** The JDK's plain-text thread dump ({@code jcmd PID Thread.dump_to_file}), which lists virtual threads. */
    JDK_TEXT("JDK plain-text thread dump"),
    /** {@code jstack PID} or {@code jcmd PID Thread.print}: platform threads only. */
    JSTACK("jstack / Thread.print");

    private final String description;

    DumpFormat(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
