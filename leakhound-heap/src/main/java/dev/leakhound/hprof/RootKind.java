package dev.leakhound.hprof;

/**
 * The GC root sub-records of a heap dump. HotSpot writes {@link #THREAD_OBJECT} for every thread (on JDK 23+
 * also for every unmounted virtual thread, whose frames the GC does not treat as roots) and
 * {@link #JAVA_FRAME} for each local of a frame, with the thread serial and the frame's depth.
 */
public enum RootKind {
    UNKNOWN(0xFF),
    JNI_GLOBAL(0x01),
    JNI_LOCAL(0x02),
    JAVA_FRAME(0x03),
    NATIVE_STACK(0x04),
    STICKY_CLASS(0x05),
    THREAD_BLOCK(0x06),
    MONITOR_USED(0x07),
    THREAD_OBJECT(0x08);

    /** The sub-record tag. */
    public final int tag;

    RootKind(int tag) {
        this.tag = tag;
    }

    /** Whether root records of this kind carry a thread serial number. */
    public boolean hasThread() {
        return this == JNI_LOCAL || this == JAVA_FRAME || this == NATIVE_STACK || this == THREAD_BLOCK
                || this == THREAD_OBJECT;
    }
}
