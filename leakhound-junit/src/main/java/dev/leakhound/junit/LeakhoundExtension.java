package dev.leakhound.junit;

import dev.leakhound.Baseline;
import dev.leakhound.IgnoreRule;
import dev.leakhound.LeakOptions;
import dev.leakhound.LeakReport;
import dev.leakhound.LeakedThreadsError;
import dev.leakhound.capture.CreationSites;
import dev.leakhound.junit.CheckThreadLeaks.Scope;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.TestInstanceFactoryContext;
import org.junit.jupiter.api.extension.TestInstancePreConstructCallback;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JUnit Jupiter extension behind {@link CheckThreadLeaks}: takes a baseline of the live threads before
 * a test (or class) and fails it if threads started since are still alive after it. Register it with the
 * annotation, with {@code @ExtendWith(LeakhoundExtension.class)} (settings from the configuration
 * parameters), or suite-wide through auto-detection; see {@link CheckThreadLeaks} for all settings.
 *
 * <h2>When the baseline is taken and the check runs</h2>
 * JUnit runs, around each test: {@code BeforeEachCallback}s, {@code @BeforeEach} methods,
 * {@code BeforeTestExecutionCallback}s, the test, {@code AfterTestExecutionCallback}s, {@code @AfterEach}
 * methods, {@code AfterEachCallback}s. Leakhound deliberately uses the outermost pair:
 * <ul>
 *   <li>{@link BeforeEachCallback} (or, earlier still, {@link TestInstancePreConstructCallback} with a
 *       method-scoped context, so that threads started by the test instance's constructor and field
 *       initialisers count too) takes the baseline: threads a test's {@code @BeforeEach} starts belong to
 *       the test;</li>
 *   <li>{@link AfterEachCallback} runs the check <em>after</em> the test's {@code @AfterEach} methods, so a
 *       test that closes its executor or stops its server in {@code @AfterEach} is not reported.
 *       {@code AfterTestExecutionCallback} would run before that cleanup and report every such test.</li>
 * </ul>
 * For {@link Scope#CLASS} the same holds one level up: {@link BeforeAllCallback} (or the pre-construct
 * callback of a {@code PER_CLASS} test instance) takes the baseline before the {@code @BeforeAll} methods,
 * {@link AfterAllCallback} checks after the {@code @AfterAll} methods.
 *
 * <p>Callbacks of other extensions: JUnit runs "after" callbacks in the reverse order of registration, so
 * an extension registered after this one (declared after {@code @CheckThreadLeaks}, or registered in a
 * field) cleans up before the check. Auto-detected extensions are registered first of all, so a suite-wide
 * Leakhound checks after every other extension.
 *
 * <h2>A test that has failed already</h2>
 * The check runs anyway (a failed test often leaves threads behind, and hiding that would hide a leak).
 * JUnit keeps the test's own failure as the failure and attaches the {@link LeakedThreadsError} to it as
 * a suppressed exception, so the leak report is shown without hiding why the test failed. A test that was
 * aborted (assumption failed) but leaked is reported as failed with the leak report.
 *
 * <h2>Reporting each thread once</h2>
 * A thread reported once is not reported again by a later check of the same run (e.g. a class-scope check
 * of the enclosing class, after a per-test check blamed the thread on a test). Under parallel execution without the
 * agent a check never blames a thread it cannot show to be its unit's (see below), so a thread is not reported on a
 * wrong class and then missed by its own.
 *
 * <h2>Failures of the extension itself</h2>
 * It never hangs a run: the check waits at most the retry window. If it cannot capture the threads, the
 * test (or class) fails with an {@link IllegalStateException} saying so, never a silent pass; invalid
 * settings fail it with an {@link ExtensionConfigurationException} naming the setting. An interrupt status
 * left set by the test does not cut the retry window short; it is set again after the check.
 *
 * <h2>Parallel execution</h2>
 * See {@link CheckThreadLeaks}: with {@code junit.jupiter.execution.parallel.enabled=true} and no agent every class
 * is checked as a whole, a report entry (key {@value #REPORT_KEY}) says so, and failures carry a note. Only
 * when the extension is registered on a method alone (there is no class-level check to fall back to) are
 * tests still checked one by one. Either way a check fails its test or class only if no other test or class ran
 * between its baseline and its check (the run's order of baselines, checks, starts and ends is kept in the root
 * context's store); otherwise it publishes a report entry and leaves the leaks to the end of the run: the root
 * store's {@link ExtensionContext.Store.CloseableResource} is closed when the engine's run ends, after every class,
 * captures again, and throws a {@link LeakedThreadsError} for those still alive, which JUnit reports as the failure
 * of the engine ("JUnit Jupiter"), with the tests that ran while they were started.
 *
 * <p>With the Leakhound agent in the test JVM ({@code -javaagent}: the artifact {@code dev.leakhound:leakhound-agent}),
 * which records who started each
 * thread, parallel runs keep the per-test check: each test's thread is tagged with the test's id, threads inherit
 * the tag of the thread that started them, and a test is blamed only for threads carrying its tag. Threads
 * started by no test (a shared pool created before the tests) are not checked in that mode.
 *
 * <p>{@code @TestFactory} methods are checked as one test (their dynamic tests are not checked one by one).
 */
public final class LeakhoundExtension implements TestInstancePreConstructCallback, BeforeAllCallback,
        AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    /** The key of the report entries this extension publishes. */
    public static final String REPORT_KEY = "leakhound";

    static final String PARALLEL_ENABLED = "junit.jupiter.execution.parallel.enabled";
    static final String PARALLEL_MODE_DEFAULT = "junit.jupiter.execution.parallel.mode.default";
    static final String PARALLEL_MODE_CLASSES = "junit.jupiter.execution.parallel.mode.classes.default";

    private static final Namespace NAMESPACE = Namespace.create(LeakhoundExtension.class);
    private static final String CLASS_CHECK_MARKER = "class-check";
    private static final String LEDGER = "run-ledger";
    private static final Object NO_CHECK = new Object();

    private final ThreadCapture capture;

    public LeakhoundExtension() {
        this(ThreadCapture.LIVE);
    }

    LeakhoundExtension(ThreadCapture capture) {
        this.capture = Objects.requireNonNull(capture, "capture");
    }

    /** Asks JUnit for the test method's context when it constructs a test instance per method. */
    @Override
    public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
        return ExtensionContextScope.TEST_METHOD;
    }

    @Override
    public void preConstructTestInstance(TestInstanceFactoryContext factoryContext, ExtensionContext context) {
        if (context.getTestMethod().isPresent()) {
            prepareTest(context);
        } else {
            prepareClass(context);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        prepareClass(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        prepareTest(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        verify(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        verify(context);
    }

    /**
     * One pending check: the baseline and options, taken before the test or class. Shared by all instances
     * of the extension through the store, so that a second registration (auto-detected and annotated) does
     * not check twice.
     */
    private record Check(String subject, Baseline baseline, LeakOptions options, List<String> notes,
                         AtomicBoolean done, Owner owner, long missedBefore, LeakOptions unattributed,
                         long since, boolean alone) {
        /**
         * A check without the agent's owner tags.
         *
         * @param since the run's time before the baseline
         * @param alone whether it may blame its unit only if nothing outside the unit ran meanwhile (parallel)
         */
        Check(String subject, Baseline baseline, LeakOptions options, List<String> notes, long since, boolean alone) {
            this(subject, baseline, options, notes, new AtomicBoolean(), null, 0, options, since, alone);
        }
    }

    /**
     * A test's owner tag on its thread (see {@link CreationSites#setOwner}), and the tag of its own that thread had
     * before, put back after the check (JUnit may run another test on the same thread while this one waits), or
     * when the test's context closes if the check never ran (a constructor that threw). Then the tag is retired:
     * a pooled thread started during the test does not pass it on to the threads it starts for later tests.
     */
    private record Owner(long threadId, String tag, String previous, AtomicBoolean restored)
            implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        void restore() {
            if (restored.compareAndSet(false, true)) {
                CreationSites.setOwner(threadId, previous);
                CreationSites.retireOwner(tag);
            }
        }

        @Override
        public void close() {
            restore();
        }
    }

    /** How JUnit is configured to run tests in parallel. */
    record Parallel(boolean enabled, boolean classesConcurrent) {
        static Parallel of(ExtensionContext context) {
            boolean enabled = flag(context, PARALLEL_ENABLED, "false").equals("true");
            String methods = flag(context, PARALLEL_MODE_DEFAULT, "same_thread");
            String classes = flag(context, PARALLEL_MODE_CLASSES, methods);
            return new Parallel(enabled, enabled && classes.equals("concurrent"));
        }

        private static String flag(ExtensionContext context, String key, String otherwise) {
            return context.getConfigurationParameter(key).map(v -> v.strip().toLowerCase(Locale.ROOT))
                    .filter(v -> !v.isEmpty()).orElse(otherwise);
        }

        String classNote(String className) {
            StringBuilder sb = new StringBuilder("parallel execution is enabled (" + PARALLEL_ENABLED
                    + "=true): tests may run at the same time, so a leaked thread cannot be blamed on one test; "
                    + "threads were checked once for the whole class " + className + " instead (per-test "
                    + "attribution needs thread creation tracking by the Leakhound agent)");
            if (classesConcurrent) {
                sb.append(". ").append(classesNote());
            }
            return sb.toString();
        }

        /** The report entry of a check that saw leaks while other tests ran, and left them for the end of the run. */
        static String keptNote(String subject, LeakReport report, List<RunLedger.Unit> others) {
            int n = report.count();
            return "leakhound: " + n + (n == 1 ? " leaked thread was" : " leaked threads were") + " seen after "
                    + subject + ", but other tests ran at the same time (" + RunLedger.shown(RunLedger.innermost(others))
                    + ") and without the Leakhound agent nothing tells which of them started "
                    + (n == 1 ? "it" : "them") + ": not blamed on " + subject + ", reported once at the end of the "
                    + "run if still alive then";
        }

        static String ownerNote() {
            return "parallel execution is enabled (" + PARALLEL_ENABLED + "=true) and the Leakhound agent records "
                    + "who starts each thread: only threads started by this test (or by threads it started) count";
        }

        String methodNote() {
            return "parallel execution is enabled (" + PARALLEL_ENABLED + "=true) and Leakhound is registered "
                    + "on this test method only, so it still checks per test: it fails this test only if no other "
                    + "test checked by Leakhound ran meanwhile, but a test without Leakhound may have started the "
                    + "thread";
        }

        private static String classesNote() {
            return "Test classes run concurrently as well (" + PARALLEL_MODE_CLASSES + ", or else "
                    + PARALLEL_MODE_DEFAULT + ", is concurrent), so a class is failed only if no test or class "
                    + "outside it (checked by Leakhound) ran while it did; leaks seen while others ran are "
                    + "reported once, unattributed, at the end of the run";
        }
    }

    private void prepareClass(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        String key = key(context);
        if (store.get(key) != null) {
            return;                                  // already prepared (pre-construct, or a second registration)
        }
        Settings settings = Settings.of(context);
        Parallel parallel = Parallel.of(context);
        String className = context.getRequiredTestClass().getName();
        RunLedger ledger = ledger(context);
        if (parallel.enabled()) {
            store.put(key + ":unit", ledger.begin(context.getUniqueId(), "class " + className));
        }
        boolean byOwner = parallel.enabled() && CreationSites.recording();
        if (settings.scope() != Scope.CLASS && (!parallel.enabled() || byOwner)) {
            store.put(key, NO_CHECK);                // per test: exact, or attributed by who started each thread
            return;
        }
        List<String> notes = new ArrayList<>();
        if (parallel.enabled()) {
            String note = parallel.classNote(className);
            notes.add(note);
            context.publishReportEntry(REPORT_KEY, note);
        } else {
            notes.add("scope CLASS: checked once for the whole class " + className + ", for threads started "
                    + "since before its @BeforeAll methods and still alive after its @AfterAll methods");
        }
        LeakOptions options = settings.options().build();
        long since = ledger.tick();
        Baseline baseline = baseline("class " + className);
        store.put(key, new Check("class " + className, baseline, options, notes, since, parallel.enabled()));
        store.put(CLASS_CHECK_MARKER, Boolean.TRUE);
    }

    private void prepareTest(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        String key = key(context);
        if (store.get(key) != null) {
            return;
        }
        Parallel parallel = Parallel.of(context);
        RunLedger ledger = ledger(context);
        String subject = testName(context);
        if (parallel.enabled()) {
            store.put(key + ":unit", ledger.begin(context.getUniqueId(), subject));
        }
        if (parallel.enabled() && store.get(CLASS_CHECK_MARKER) != null) {
            store.put(key, NO_CHECK);                // the class-level check covers this test
            return;
        }
        Settings settings = Settings.of(context);
        if (settings.scope() != Scope.METHOD) {
            store.put(key, NO_CHECK);
            return;
        }
        List<String> notes = new ArrayList<>();
        if (parallel.enabled() && CreationSites.recording()) {
            // The agent knows who started each thread: blame only this test's threads and their descendants.
            String tag = context.getUniqueId();
            notes.add(Parallel.ownerNote());
            context.publishReportEntry(REPORT_KEY, Parallel.ownerNote());
            // A thread counts only if it carries this test's tag (started by the test or by its threads).
            LeakOptions options = settings.options()
                    .ignore(new IgnoreRule("started by another test, or by no test",
                            t -> !tag.equals(CreationSites.ownerOf(t.id()))))
                    .build();
            long since = ledger.tick();
            Baseline baseline = baseline(subject);
            long self = Thread.currentThread().threadId();
            Owner owner = new Owner(self, tag, CreationSites.setOwner(self, tag), new AtomicBoolean());
            store.put(key + ":owner", owner);
            store.put(key, new Check(subject, baseline, options, notes, new AtomicBoolean(), owner,
                    CreationSites.missedStarts(), settings.options().build(), since, false));
            return;
        }
        if (parallel.enabled()) {
            notes.add(parallel.methodNote());
            context.publishReportEntry(REPORT_KEY, parallel.methodNote());
        }
        LeakOptions options = settings.options().build();
        long since = ledger.tick();
        store.put(key, new Check(subject, baseline(subject), options, notes, since, parallel.enabled()));
    }

    private Baseline baseline(String subject) {
        try {
            return capture.baseline();
        } catch (RuntimeException e) {
            throw new IllegalStateException("leakhound: could not capture the live threads before " + subject
                    + ", so it cannot be checked for leaked threads: " + e, e);
        }
    }

    private void verify(ExtensionContext context) {
        if (!(context.getStore(NAMESPACE).get(key(context)) instanceof Check check)
                || !check.done().compareAndSet(false, true)) {
            return;
        }
        RunLedger ledger = ledger(context);
        Set<Long> reported = ledger.reported();
        boolean interrupted = Thread.interrupted();      // a leftover interrupt would cut the retry window short
        LeakReport report;
        LeakOptions options = check.options();
        boolean alone = check.alone();
        try {
            if (check.owner() != null) {
                check.owner().restore();
                if (!CreationSites.recording() || CreationSites.missedStarts() > check.missedBefore()) {
                    // Some starts went unrecorded: attribution would miss them, so count every new thread.
                    options = check.unattributed();
                    alone = true;           // and then blamed on this test only if no other test ran meanwhile
                    check.notes().add("the agent could not record every thread start during this test (its table "
                            + "was full or recording stopped): every new thread counts, whichever test started it, "
                            + "and fails this test only if no other test ran meanwhile");
                }
            }
            report = capture.find(options.toBuilder()
                    .baseline(check.baseline())
                    .ignoreThreadIds(Set.copyOf(reported))
                    .build());
        } catch (RuntimeException e) {
            throw new IllegalStateException("leakhound: could not check " + check.subject()
                    + " for leaked threads (the live threads could not be captured), so leaks cannot be ruled out: "
                    + e, e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (report.isEmpty()) {
            return;
        }
        if (alone) {
            long now = ledger.tick();
            List<RunLedger.Unit> others = ledger.others(context.getUniqueId(), check.since(), now);
            if (!others.isEmpty()) {
                // Without the agent these threads may be another test's: kept for the end of the run instead.
                ledger.keep(report.leakedThreads(), check.since(), now, options);
                context.publishReportEntry(REPORT_KEY, Parallel.keptNote(check.subject(), report, others));
                return;
            }
        }
        for (ThreadSnapshot t : report.leakedThreads()) {
            ledger.attributed(t.id());
        }
        for (String note : check.notes()) {
            report = report.withNote(note);
        }
        throw new LeakedThreadsError(report);
    }

    /** The run's ledger, in the root store: JUnit closes it, and it reports what is left, at the end of the run. */
    private RunLedger ledger(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(LEDGER, k -> new RunLedger(capture), RunLedger.class);
    }

    /** Store values are looked up through the parents too, so each context gets a key of its own. */
    private static String key(ExtensionContext context) {
        return "check:" + context.getUniqueId();
    }

    private static String testName(ExtensionContext context) {
        String method = context.getTestMethod().map(m -> m.getName() + "()").orElse("?");
        String cls = context.getTestClass().map(Class::getName).orElse("?");
        String display = context.getDisplayName();
        return "test " + cls + "." + method + (display.equals(method) ? "" : " [" + display + "]");
    }
}
