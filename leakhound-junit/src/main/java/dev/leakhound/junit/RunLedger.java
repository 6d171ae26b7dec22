package dev.leakhound.junit;

import dev.leakhound.IgnoreRule;
import dev.leakhound.LeakOptions;
import dev.leakhound.LeakReport;
import dev.leakhound.LeakedThreadsError;
import dev.leakhound.RetryPolicy;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one run of the Jupiter engine knows across its checks, kept in the root context's store: the threads already
 * reported (each is reported once), and, under parallel execution, when each test and class ran and the leaks that
 * could not be blamed on one of them.
 *
 * <p>Without the agent nothing tells who started a thread, so under parallel execution a check may blame a thread on
 * its test or class only if nothing else (no test or class outside it) ran between its baseline and its check. A
 * leak seen while others ran is kept here, with the window in which it must have been started, and reported once
 * when the root context closes, that is at the end of the engine's run, after every class: JUnit closes the
 * root store's {@link ExtensionContext.Store.CloseableResource}s then, and reports an exception thrown there as the
 * failure of the engine ("JUnit Jupiter"), so the run fails with the report. (It is {@link AutoCloseable} too: JUnit
 * 5.13 and later close those, and warn about a {@code CloseableResource} that is not; older versions close it as a
 * {@code CloseableResource}.) Only threads still alive then (after the
 * retry window) are reported: a class that cleaned up after another's check saw its threads is not blamed.
 */
final class RunLedger implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private static final int NAMES_SHOWN = 20;

    private final ThreadCapture capture;
    private final Set<Long> reported = ConcurrentHashMap.newKeySet();
    private final AtomicLong clock = new AtomicLong();
    private final Queue<Unit> units = new ConcurrentLinkedQueue<>();
    private final Map<Long, Unattributed> unattributed = new ConcurrentHashMap<>();

    RunLedger(ThreadCapture capture) {
        this.capture = capture;
    }

    /** Ids of the threads reported so far in this run. */
    Set<Long> reported() {
        return reported;
    }

    /** A point in the run's order of events: baselines, checks, starts and ends of tests and classes. */
    long tick() {
        return clock.incrementAndGet();
    }

    /**
     * A test or class that runs from now until its context closes.
     *
     * @param id   its unique id: a unit whose id begins with another's runs inside it
     * @param name how reports name it
     */
    Unit begin(String id, String name) {
        Unit u = new Unit(id, name, tick(), new AtomicLong(Long.MAX_VALUE), clock);
        units.add(u);
        return u;
    }

    /** A test or class as it ran; ends (and is closed by JUnit) when its context closes. */
    record Unit(String id, String name, long start, AtomicLong end, AtomicLong clock)
            implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            end.compareAndSet(Long.MAX_VALUE, clock.incrementAndGet());
        }

        boolean ranDuring(long from, long to) {
            return start <= to && end.get() >= from;
        }

        /** Whether one runs inside the other (a test of a class, a nested class), or they are the same. */
        boolean related(String otherId) {
            return id.startsWith(otherId) || otherId.startsWith(id);
        }
    }

    /** The tests and classes outside {@code id} that ran between {@code from} and {@code to}. */
    List<Unit> others(String id, long from, long to) {
        return units.stream().filter(u -> !u.related(id) && u.ranDuring(from, to)).toList();
    }

    /**
     * Keeps leaked threads that a check saw but cannot blame on its unit: started between {@code from} and
     * {@code to}. A thread seen by several checks was started in all their windows.
     */
    void keep(List<ThreadSnapshot> threads, long from, long to, LeakOptions options) {
        for (ThreadSnapshot t : threads) {
            unattributed.merge(t.id(), new Unattributed(t, from, to, options.retry(), options.showAllFrames()),
                    (a, b) -> new Unattributed(b.thread(), Math.max(a.from(), b.from()), Math.min(a.to(), b.to()),
                            a.retry(), a.showAllFrames() || b.showAllFrames()));
        }
    }

    /** Reported by a check after all: no longer left for the end of the run. */
    void attributed(long threadId) {
        reported.add(threadId);
        unattributed.remove(threadId);
    }

    /** A leak no check could blame, started between {@code from} and {@code to}; the first check's retry policy. */
    private record Unattributed(ThreadSnapshot thread, long from, long to, RetryPolicy retry, boolean showAllFrames) {
    }

    /** At the end of the run: the leaks left unattributed that are still alive fail the run, once. */
    @Override
    public void close() {
        Map<Long, Unattributed> left = new TreeMap<>(unattributed);
        reported.forEach(left::remove);
        unattributed.clear();
        if (left.isEmpty()) {
            return;
        }
        RetryPolicy retry = left.values().iterator().next().retry();
        boolean showAll = left.values().stream().anyMatch(Unattributed::showAllFrames);
        LeakReport report;
        try {
            report = capture.find(LeakOptions.builder()
                    .ignore(new IgnoreRule("not left unattributed by a check of this run",
                            t -> !left.containsKey(t.id())))
                    .retry(retry)
                    .showAllFrames(showAll)
                    .build());
        } catch (RuntimeException e) {
            throw new IllegalStateException("leakhound: could not check, at the end of the run, the " + left.size()
                    + " leaked threads seen while tests ran in parallel (the live threads could not be captured): "
                    + e, e);
        }
        if (report.isEmpty()) {
            return;
        }
        report = report.withNote(PARALLEL_NOTE);
        Map<List<String>, List<String>> byCandidates = new LinkedHashMap<>();
        for (ThreadSnapshot t : report.leakedThreads()) {
            Unattributed u = left.get(t.id());
            byCandidates.computeIfAbsent(candidates(u.from(), u.to()), k -> new ArrayList<>()).add(t.label());
        }
        for (Map.Entry<List<String>, List<String>> e : byCandidates.entrySet()) {
            report = report.withNote(String.join(", ", e.getValue()) + " started while these ran: "
                    + shown(e.getKey()));
        }
        throw new LeakedThreadsError(report);
    }

    static final String PARALLEL_NOTE = "unattributed: these threads were started while tests ran in parallel "
            + "(" + LeakhoundExtension.PARALLEL_ENABLED + "=true), and without the Leakhound agent nothing tells "
            + "which test started them, so no test or class was failed for them; they are reported once, at the end "
            + "of the run. With the agent in the test JVM (-javaagent, see above) each leak fails the test that "
            + "started it";

    /** The tests that ran in the window, and the classes that ran then with none of their tests (setup, cleanup). */
    private List<String> candidates(long from, long to) {
        return innermost(units.stream().filter(u -> u.ranDuring(from, to)).toList());
    }

    /** The names of these units but those with another of them inside, in the order they began. */
    static List<String> innermost(List<Unit> ran) {
        List<String> out = new ArrayList<>();
        for (Unit u : ran.stream().sorted(Comparator.comparingLong(Unit::start)).toList()) {
            if (ran.stream().noneMatch(o -> o != u && o.id().startsWith(u.id()))) {
                out.add(u.name());
            }
        }
        return out;
    }

    static String shown(List<String> names) {
        if (names.isEmpty()) {
            return "no test checked by Leakhound";
        }
        if (names.size() <= NAMES_SHOWN) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, NAMES_SHOWN)) + " and " + (names.size() - NAMES_SHOWN) + " more";
    }
}
