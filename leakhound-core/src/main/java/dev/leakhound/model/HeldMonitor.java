package dev.leakhound.model;

import java.util.Objects;

/**
 * A lock a thread holds: a monitor ({@code synchronized}) and the depth of the frame that locked it, or an
 * ownable synchronizer ({@code java.util.concurrent} locks such as {@code ReentrantLock$NonfairSync}, which
 * {@code jstack -l} lists under "Locked ownable synchronizers"), which belongs to no frame.
 *
 * @param depth        index into the thread's stack of the frame that holds it, or -1 when unknown (always for
 *                     a synchronizer)
 * @param className    class of the locked object
 * @param identity     identity hash or address as the source printed it, or {@code null}
 * @param synchronizer whether it is an ownable synchronizer rather than a monitor
 */
public record HeldMonitor(int depth, String className, String identity, boolean synchronizer) {
    public HeldMonitor {
        Objects.requireNonNull(className, "className");
    }

    /** A monitor. */
    public HeldMonitor(int depth, String className, String identity) {
        this(depth, className, identity, false);
    }

    /** Parses the JDK's {@code Class@hash} text of a monitor. */
    public static HeldMonitor parse(int depth, String objectText) {
        Blocker b = Blocker.parse(Blocker.Kind.ENTERING, objectText, null);
        return new HeldMonitor(depth, b.className(), b.identity());
    }

    public String objectText() {
        return identity == null ? className : className + "@" + identity;
    }
}
