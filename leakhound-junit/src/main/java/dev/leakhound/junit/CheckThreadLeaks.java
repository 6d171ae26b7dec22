package dev.leakhound.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Fails a test that leaves threads behind, platform or virtual: goleak's {@code VerifyNone} for JUnit
 * Jupiter, run by {@link LeakhoundExtension}.
 *
 * <pre>{@code
 * @CheckThreadLeaks
 * class OrderServiceTest {
 *     @Test
 *     void sendsConfirmation() { ... }     // fails if a thread it started is still alive afterwards
 * }
 * }</pre>
 *
 * <p>A thread counts as leaked if it was started during the test (it was not alive when the baseline was
 * taken), is still alive after the test's cleanup and the retry window, and no ignore rule matches it: the
 * rules of this annotation and Leakhound's {@link dev.leakhound.DefaultIgnores default ignores} (the JDK's
 * own threads, idle fork-join workers, virtual-thread carriers, test-runner threads). The failure is a
 * {@link dev.leakhound.LeakedThreadsError} whose message is the {@link dev.leakhound.LeakReport}: each
 * group of leaked threads with its state, what it is blocked in, the line of your code that blocked, and
 * its stack.
 *
 * <h2>Where it applies</h2>
 * On a test class it applies to every test of the class, of its subclasses ({@link Inherited}) and of
 * its {@link org.junit.jupiter.api.Nested @Nested} classes; on a test method, to that method. The nearest
 * annotation wins as a whole (attributes are not merged): a method's annotation overrides its class's for
 * that method, a nested class's overrides its enclosing class's. It may also be used as a meta-annotation.
 *
 * <pre>{@code
 * @CheckThreadLeaks(scope = CheckThreadLeaks.Scope.CLASS)   // or import dev.leakhound.junit.CheckThreadLeaks.Scope
 * class ServerTest { ... }                                  // threads may live until @AfterAll
 * }</pre>
 *
 * <h2>Without the annotation: suite-wide</h2>
 * The extension is registered for JUnit's extension auto-detection. With
 * {@code junit.jupiter.extensions.autodetection.enabled=true} (e.g. in {@code junit-platform.properties}
 * or as a Surefire/Gradle configuration parameter) every test class is checked, with scope
 * {@link Scope#METHOD} and the defaults below, unless a {@code @CheckThreadLeaks} says otherwise.
 *
 * <h2>Configuration parameters</h2>
 * Every attribute has a configuration parameter, read with {@code ExtensionContext.getConfigurationParameter}, so
 * it can be given in {@code junit-platform.properties}, as a system property ({@code -Dleakhound.retryMillis=0}),
 * or through the build tool (Surefire's {@code configurationParameters}, Gradle's {@code systemProperty}):
 * <table>
 *   <caption>Leakhound's configuration parameters</caption>
 *   <tr><th>key</th><th>values</th><th>applies</th></tr>
 *   <tr><td>{@code leakhound.scope}</td><td>{@code method} (default) or {@code class}</td>
 *       <td rowspan="3">where no {@code @CheckThreadLeaks} applies (auto-detection, plain {@code @ExtendWith});
 *       where one applies, its attribute wins, default or not</td></tr>
 *   <tr><td>{@code leakhound.retryMillis}</td><td>milliseconds, default {@code 500}; {@code 0}: one
 *       capture, no waiting</td></tr>
 *   <tr><td>{@code leakhound.showAllFrames}</td><td>{@code true} or {@code false} (default)</td></tr>
 *   <tr><td>{@code leakhound.ignoreThreadNames}</td><td>comma-separated regular expressions, each
 *       matched against the whole thread name (a regex containing a comma must go in the annotation)</td>
 *       <td rowspan="4">everywhere: added to the annotation's {@link #ignoreThreadNames()},
 *       {@link #ignoreTopFrames()}, {@link #ignoreAnyFrames()}, {@link #ignoreStartSites()}</td></tr>
 *   <tr><td>{@code leakhound.ignoreTopFrames}</td><td>comma-separated {@code fully.qualified.Class.method}</td></tr>
 *   <tr><td>{@code leakhound.ignoreAnyFrames}</td><td>comma-separated {@code fully.qualified.Class.method}</td></tr>
 *   <tr><td>{@code leakhound.ignoreStartSites}</td><td>comma-separated start sites (needs the agent), e.g.
 *       {@code org.example.Lib.<clinit>}</td></tr>
 * </table>
 * An invalid value fails the affected tests (or classes) with an {@code ExtensionConfigurationException} naming
 * the parameter and the value, e.g. {@code leakhound: configuration parameter leakhound.retryMillis must be a
 * number of milliseconds, 0 or more, not 'soon'} or {@code leakhound: ignoreTopFrames: expected
 * fully.qualified.Class.method, not 'workerLoop' (from configuration parameter leakhound.ignoreTopFrames)}.
 *
 * <p>A library's deliberate singleton, e.g. a static {@code Timer} it starts lazily, is best silenced suite-wide by
 * where it was started, which no leak of yours shares ({@code junit-platform.properties}):
 * <pre>
 * junit.jupiter.extensions.autodetection.enabled=true
 * leakhound.ignoreStartSites=org.example.Lib.&lt;clinit&gt;
 * </pre>
 * rather than by thread name ({@code Timer-0} also names the Timers your code leaks).
 *
 * <h2>Parallel execution</h2>
 * With {@code junit.jupiter.execution.parallel.enabled=true} tests may run at the same time, and a thread can be
 * blamed on one test only by knowing which test started it.
 * <ul>
 *   <li>With the Leakhound agent in the test JVM ({@code -javaagent}, the artifact
 *       {@code dev.leakhound:leakhound-agent}), which records who starts each thread, every test is still checked
 *       on its own and fails for the threads it (or a thread it started) started.</li>
 *   <li>Without it, each class is checked as a whole instead ({@link Scope#CLASS}), with a report entry and a note
 *       saying so, and a class fails only if no test or class outside it ran between its baseline and its check:
 *       only then can its leaks be shown to be its own. Leaks seen while other classes ran (classes run
 *       concurrently: {@code junit.jupiter.execution.parallel.mode.classes.default}, or else
 *       {@code junit.jupiter.execution.parallel.mode.default}, is {@code concurrent}) fail no class: a report
 *       entry says so, and those still alive at the end of the run are reported there once, as unattributed, with
 *       the tests that ran while they were started, as the failure of the engine ("JUnit Jupiter").</li>
 * </ul>
 * Which tests ran when is known of the tests Leakhound checks: with auto-detection, all of them.
 *
 * @see LeakhoundExtension for when exactly baselines are taken and checks run
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(LeakhoundExtension.class)
public @interface CheckThreadLeaks {

    /**
     * Which unit is checked: each test (default) or the class as a whole. Meaningful on a class; on a
     * method, {@link Scope#CLASS} takes that method out of the per-test check, so its threads are only
     * checked if its class is checked with {@link Scope#CLASS}. {@code leakhound.scope} where no annotation
     * applies.
     */
    Scope scope() default Scope.METHOD;

    /**
     * Regular expressions; a thread whose whole name matches one of them is not reported.
     * {@code leakhound.ignoreThreadNames} adds to these. Names are often shared ({@code Timer-0},
     * {@code pool-1-thread-1}): prefer {@link #ignoreStartSites()} or a frame when you can.
     */
    String[] ignoreThreadNames() default {};

    /**
     * Methods as {@code fully.qualified.Class.method}: a thread whose top frame is one of them is not
     * reported. For a thread blocked inside the JDK its topmost frame of application code counts, so
     * {@code "com.example.Pool.workerLoop"} matches a worker parked in a queue's {@code take} called from
     * {@code workerLoop} (see {@link dev.leakhound.LeakOptions.Builder#ignoreTopFrame(String)}).
     * {@code leakhound.ignoreTopFrames} adds to these.
     */
    String[] ignoreTopFrames() default {};

    /**
     * Methods as {@code fully.qualified.Class.method}: a thread with one of them anywhere on its stack is
     * not reported. {@code leakhound.ignoreAnyFrames} adds to these.
     */
    String[] ignoreAnyFrames() default {};

    /**
     * Where the threads to ignore were started: the frame that called {@code Thread.start} (for a thread started
     * inside the JDK, e.g. by {@code new Timer()} or an executor, the first frame outside the JDK that led there),
     * as {@code fully.qualified.Class.method}, or a prefix of it ending at a package, class or method: {@code
     * "org.example.Lib.<clinit>"} ignores the threads {@code Lib}'s static initialiser starts, {@code
     * "org.example.Lib"} those started by any of its methods. {@code leakhound.ignoreStartSites} adds to these.
     *
     * <p>Needs the Leakhound agent in the test JVM ({@code -javaagent}), which records where each thread is started;
     * without it no thread matches, and failure reports say so. See
     * {@link dev.leakhound.LeakOptions.Builder#ignoreStartSite(String)}.
     */
    String[] ignoreStartSites() default {};

    /**
     * How long threads get to end after the test (after its {@code @AfterEach}/{@code @AfterAll} cleanup)
     * before they are reported, in milliseconds: the check captures again with growing pauses (1 ms
     * doubling up to 100 ms) until no thread is left or this time has passed. {@code 0}: a single capture.
     * {@code leakhound.retryMillis} where no annotation applies.
     */
    long retryMillis() default 500;

    /**
     * Whether failure reports list the JDK's frames too, instead of folding them. {@code leakhound.showAllFrames}
     * where no annotation applies.
     */
    boolean showAllFrames() default false;

    /** What one leak check covers. */
    enum Scope {
        /**
         * Each test: baseline before the test's {@code @BeforeEach} methods (and before its test instance
         * is constructed), check after its {@code @AfterEach} methods. The leaking test fails.
         */
        METHOD,
        /**
         * The whole class: baseline before its {@code @BeforeAll} methods, check after its
         * {@code @AfterAll} methods. The class fails (reported on the class, not on a test).
         */
        CLASS
    }
}
