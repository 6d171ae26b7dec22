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
 * state stays unknown.
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
        List<ThreadSnapshot> threads = enrichPlatformThreads(raw.threads());
        return CreationSites.attach(new ThreadDump(raw.capturedAt() != null ? raw.capturedAt() : now, ORIGIN,
                DumpFormat.LIVE, raw.processId() != null ? raw.processId() : ProcessHandle.current().pid(),
                raw.runtimeVersion() != null ? raw.runtimeVersion() : Runtime.version().toString(), threads));
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
            }
            out.add(new ThreadSnapshot(t.id(), t.name(), false, info.isDaemon(), state, t.stack(), blocker,
                    t.heldMonitors(), t.container(), t.carrierId(), t.creationSite()));
        }
        return out;
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
