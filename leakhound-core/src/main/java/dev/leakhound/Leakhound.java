package dev.leakhound;

import dev.leakhound.analysis.Deadlocks;
import dev.leakhound.analysis.Patterns;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.capture.CreationSites;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.Deadlock;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The leak check: goleak for the JVM, virtual threads included.
 *
 * <pre>{@code
 * LeakOptions before = LeakOptions.builder().ignoreCurrent().build();
 * codeUnderTest();
 * Leakhound.verifyNone(before);   // fails if codeUnderTest left threads behind
 * }</pre>
 *
 * <p>A thread counts as leaked if it is alive, is not the calling thread, and no rule of the options
 * ignores it (the baseline of {@link LeakOptions.Builder#ignoreCurrent()}, the user's rules, and
 * {@link DefaultIgnores}). Threads get the time of the options' {@link RetryPolicy} to end first.
 */
public final class Leakhound {
    private Leakhound() {
    }

    /** {@link #find(LeakOptions)} with {@link LeakOptions#defaults()}. */
    public static LeakReport find() {
        return find(LeakOptions.defaults());
    }

    /**
     * Finds leaked threads: captures all threads, and while some are not ignored, pauses as the retry
     * policy says and captures again. Returns what is left at the end.
     *
     * <p>If the calling thread is interrupted while pausing, the check stops at once and reports what
     * the last capture found; the interrupt status is set again.
     */
    public static LeakReport find(LeakOptions options) {
        long self = Thread.currentThread().threadId();
        long start = 0;
        int attempts = 0;
        while (true) {
            ThreadDump dump = LiveThreads.capture();
            if (attempts++ == 0) {
                start = System.nanoTime();  // the retry time counts from the first capture's end: a slow capture must not eat it
            }
            List<ThreadSnapshot> leaked = new ArrayList<>();
            for (ThreadSnapshot t : dump.threads()) {
                if (t.id() != self && !options.ignores(t)) {
                    leaked.add(t);
                }
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            boolean again = false;
            if (!leaked.isEmpty()) {
                try {
                    again = options.retry().awaitRetry(attempts, elapsed);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (!again) {
                List<String> notes = new ArrayList<>();
                if (untracked()) {
                    notes.add("-Djdk.trackAllThreads=false is set: the JDK does not list virtual threads started"
                            + " directly with the Thread API, so leaks among them cannot be seen");
                }
                if (!options.startSites().isEmpty() && !CreationSites.recording()) {
                    notes.add("threads are ignored by start site (" + String.join(", ", options.startSites())
                            + "), but where threads are started is recorded by the Leakhound agent only, which is"
                            + " not loaded in this JVM: no thread matched them");
                }
                List<Deadlock> deadlocks = deadlocksAmong(dump, leaked);
                if (!LiveThreads.virtualLockOwnersKnown() && ownersUnknown(leaked)) {
                    notes.add(OWNERS_UNKNOWN);
                }
                List<StackGroup> groups = ThreadGrouping.group(leaked);
                // The whole capture is the context (counterparts, lock owners), but for the checking thread: it
                // runs the test's code, which would pass for a live counterpart.
                Patterns patterns = Patterns.of(dump.threads().stream().filter(t -> t.id() != self).toList());
                return new LeakReport(groups, dump.capturedAt(), dump.threads().size(), attempts, elapsed,
                        options.showAllFrames(), notes, deadlocks, groups.stream().map(patterns::classify).toList());
            }
        }
    }

    /** The note when virtual threads wait for locks whose owner this JVM does not tell. */
    static final String OWNERS_UNKNOWN = "virtual threads wait for java.util.concurrent locks whose owners are not"
            + " known here (the JDK's thread dump does not give them): a deadlock among such locks is not seen unless"
            + " the Leakhound agent is loaded";

    /** The deadlocks of the dump that hold a leaked thread. */
    private static List<Deadlock> deadlocksAmong(ThreadDump dump, List<ThreadSnapshot> leaked) {
        Set<Long> ids = new HashSet<>();
        for (ThreadSnapshot t : leaked) {
            ids.add(t.id());
        }
        List<Deadlock> out = new ArrayList<>();
        for (Deadlock d : Deadlocks.find(dump.threads(), dump.deadlocks())) {
            if (d.links().stream().anyMatch(l -> l.tid() != null && ids.contains(l.tid()))) {
                out.add(d);
            }
        }
        return out;
    }

    /** Whether a leaked virtual thread waits for a java.util.concurrent lock with no owner known. */
    private static boolean ownersUnknown(List<ThreadSnapshot> leaked) {
        for (ThreadSnapshot t : leaked) {
            if (t.virtual() && t.blocker() != null && t.blocker().ownerId() == null
                    && t.blocker().kind() == Blocker.Kind.PARKED_ON && t.state() != Thread.State.TIMED_WAITING
                    && t.blocker().className().startsWith("java.util.concurrent.locks.")
                    && !t.blocker().className().contains("ConditionObject")) {
                return true;
            }
        }
        return false;
    }

    /** Whether the JDK was told not to track virtual threads started with the Thread API. */
    private static boolean untracked() {
        String v = System.getProperty("jdk.trackAllThreads");
        return v != null && !v.isEmpty() && !Boolean.parseBoolean(v);
    }

    /** {@link #verifyNone(LeakOptions)} with {@link LeakOptions#defaults()}. */
    public static void verifyNone() {
        verifyNone(LeakOptions.defaults());
    }

    /**
     * Fails if threads leaked.
     *
     * @throws LeakedThreadsError carrying the {@link LeakReport} when {@link #find(LeakOptions)} finds any
     */
    public static void verifyNone(LeakOptions options) {
        LeakReport report = find(options);
        if (!report.isEmpty()) {
            throw new LeakedThreadsError(report);
        }
    }
}
