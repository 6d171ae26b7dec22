package dev.leakhound.model;

import java.util.Objects;

/**
 * A monitor a thread holds ({@code synchronized}), and the depth of the frame that locked it.
 *
 * @param depth     index into the thread's stack of the frame that holds it, or -1 when unknown
 * @param className class of the locked object
 * @param identity  identity hash or address as the source printed it, or {@code null}
 */
public record HeldMonitor(int depth, String className, String identity) {
    public HeldMonitor {
        Objects.requireNonNull(className, "className");
    }

    /** Parses the JDK's {@code Class@hash} text. */
    public static HeldMonitor parse(int depth, String objectText) {
        Blocker b = Blocker.parse(Blocker.Kind.ENTERING, objectText, null);
        return new HeldMonitor(depth, b.className(), b.identity());
    }

    public String objectText() {
        return identity == null ? className : className + "@" + identity;
    }
}
