package dev.leakhound.capture;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Captures every live thread of this JVM, platform and virtual.
 *
 * <p>The source is the JDK's own JSON thread dump ({@code HotSpotDiagnosticMXBean.dumpThreads}), the
 * only public API that lists virtual threads. It is written to a file of its own in a private temporary
 * directory ({@link DumpFiles}), read as a stream, and the file is removed before this method returns,
 * also on failure. What the JSON of JDK 21-24
 * lacks for platform threads (state, the monitor or lock waited on) and what no JSON gives (whether a
 * platform thread is a daemon) comes from {@link ThreadMXBean}; for virtual threads on those JDKs the
 * state stays unknown. For a platform thread waiting for a lock, the owner comes from {@link ThreadMXBean} too
 * ({@link Blocker#ownerId()}); for a virtual thread parked on a {@code java.util.concurrent} lock it stays unknown
 * (JDK 25's JSON does not give it, and no public API does) unless the Leakhound agent is loaded, which opens
 * what reading it needs ({@link #virtualLockOwnersKnown()}).
 *
 * <p>Where the Leakhound agent records thread starts, each thread carries its {@link CreationSites creation site}.
 *
 * <p>Safe to call from any thread, concurrently. Costs one thread dump: about 20 µs per thread.
 */
public final class LiveThreads {

    private static final String ORIGIN = "live: HotSpotDiagnosticMXBean.dumpThreads";

    private LiveThreads() {
    }

    /**
     * Captures all live threads now.
     *
     * @throws UncheckedIOException if the JDK cannot write the dump (e.g. no writable temp directory)
     */
    public static ThreadDump capture() {
        Instant now = Instant.now();
        ThreadDump raw;
        Path file = null;
        try {
            file = DumpFiles.next();
            HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            bean.dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            try (InputStream in = Files.newInputStream(file)) {
                raw = JsonThreadDumpParser.parse(in, ORIGIN);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("leakhound: could not capture a thread dump: " + e.getMessage(), e);
        } finally {
            // Also when the JDK failed half-way through writing (disk full): leave nothing behind.
            DumpFiles.delete(file);
        }
        List<ThreadSnapshot> threads = withVirtualLockOwners(enrichPlatformThreads(raw.threads()));
        return CreationSites.attach(new ThreadDump(raw.capturedAt() != null ? raw.capturedAt() : now, ORIGIN,
                DumpFormat.LIVE, raw.processId() != null ? raw.processId() : ProcessHandle.current().pid(),
                raw.runtimeVersion() != null ? raw.runtimeVersion() : Runtime.version().toString(), threads));
    }

    /**
     * Whether the owners of the {@code java.util.concurrent} locks virtual threads are parked on are given
     * ({@link Blocker#ownerId()}) by {@link #capture()} in this JVM: only with the Leakhound agent loaded (or
     * {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED --add-opens
     * java.base/java.util.concurrent.locks=ALL-UNNAMED}).
     */
    public static boolean virtualLockOwnersKnown() {
        return LockOwners.available();
    }

    /** Adds the owners of the locks virtual threads are parked on, where they can be read and any is needed. */
    private static List<ThreadSnapshot> withVirtualLockOwners(List<ThreadSnapshot> threads) {
        boolean needed = false;
        for (ThreadSnapshot t : threads) {
            if (needsOwner(t)) {
                needed = true;
                break;
            }
        }
        if (!needed || !LockOwners.available()) {
            return threads;
        }
        Map<Long, LockOwners.Owner> owners = LockOwners.ofParkedThreads();
        if (owners.isEmpty()) {
            return threads;
        }
        List<ThreadSnapshot> out = new ArrayList<>(threads.size());
        for (ThreadSnapshot t : threads) {
            LockOwners.Owner o = needsOwner(t) ? owners.get(t.id()) : null;
            Blocker b = t.blocker();
            if (o != null && b.identity() != null && b.identity().equals(Integer.toHexString(o.lockHash()))) {
                out.add(new ThreadSnapshot(t.id(), t.name(), t.virtual(), t.daemon(), t.state(), t.stack(),
                        new Blocker(b.kind(), b.className(), b.identity(), o.ownerId()), t.heldMonitors(),
                        t.container(), t.carrierId(), t.creationSite()));
            } else {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * A virtual thread parked without a timeout on what may be an owned lock: not on the JDK's queues, latches and
     * futures, nor on a lock's condition, which have no owner (reading the owners walks every thread).
     */
    private static boolean needsOwner(ThreadSnapshot t) {
        Blocker b = t.blocker();
        if (!t.virtual() || b == null || b.kind() != Blocker.Kind.PARKED_ON || b.ownerId() != null
                || t.state() != Thread.State.WAITING) {
            return false;
        }
        String c = b.className();
        return c.startsWith("java.util.concurrent.locks.") ? !c.contains("ConditionObject")
                : !c.startsWith("java.util.concurrent.");
    }

    /** Adds daemon (always) and state and blocker (where the JSON lacks them) to platform threads. */
    private static List<ThreadSnapshot> enrichPlatformThreads(List<ThreadSnapshot> threads) {
        int platform = 0;
        for (ThreadSnapshot t : threads) {
            if (!t.virtual()) {
                platform++;
            }
        }
        if (platform == 0) {
            return threads;
        }
        long[] ids = new long[platform];
        int i = 0;
        for (ThreadSnapshot t : threads) {
            if (!t.virtual()) {
                ids[i++] = t.id();
            }
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ThreadInfo[] infos = mx.getThreadInfo(ids, 0);
        Map<Long, ThreadInfo> byId = new HashMap<>(platform * 2);
        for (ThreadInfo info : infos) {
            if (info != null) {
                byId.put(info.getThreadId(), info);
            }
        }
        List<ThreadSnapshot> out = new ArrayList<>(threads.size());
        for (ThreadSnapshot t : threads) {
            ThreadInfo info = t.virtual() ? null : byId.get(t.id());
            if (info == null) {
                out.add(t);                                  // virtual, or ended since the dump
                continue;
            }
            Thread.State state = t.state() != null ? t.state() : info.getThreadState();
            Blocker blocker = t.blocker();
            if (blocker == null && t.state() == null) {
                blocker = blockerOf(info, t);
            } else if (blocker != null) {
                blocker = withOwner(blocker, info);
            }
            out.add(new ThreadSnapshot(t.id(), t.name(), false, info.isDaemon(), state, t.stack(), blocker,
                    t.heldMonitors(), t.container(), t.carrierId(), t.creationSite()));
        }
        return out;
    }

    /**
     * The blocker with the owner {@link ThreadMXBean} gives (JDK 25's JSON has none for a
     * {@code java.util.concurrent} lock), if it names the same object.
     */
    private static Blocker withOwner(Blocker b, ThreadInfo info) {
        LockInfo lock = info.getLockInfo();
        if (b.ownerId() != null || lock == null || info.getLockOwnerId() < 0 || b.identity() == null
                || !b.identity().equals(Integer.toHexString(lock.getIdentityHashCode()))) {
            return b;
        }
        return new Blocker(b.kind(), b.className(), b.identity(), info.getLockOwnerId());
    }

    private static Blocker blockerOf(ThreadInfo info, ThreadSnapshot t) {
        LockInfo lock = info.getLockInfo();
        if (lock == null) {
            return null;
        }
        Long owner = info.getLockOwnerId() >= 0 ? info.getLockOwnerId() : null;
        String hash = Integer.toHexString(lock.getIdentityHashCode());
        Blocker.Kind kind = switch (info.getThreadState()) {
            case BLOCKED -> Blocker.Kind.ENTERING;
            case WAITING, TIMED_WAITING -> inObjectWait(t) ? Blocker.Kind.WAITING_ON : Blocker.Kind.PARKED_ON;
            default -> Blocker.Kind.PARKED_ON;
        };
        return new Blocker(kind, lock.getClassName(), hash, owner);
    }

    private static boolean inObjectWait(ThreadSnapshot t) {
        return t.stack().stream().limit(4)
                .anyMatch(f -> f.className().equals("java.lang.Object") && f.methodName().startsWith("wait"));
    }
}
