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
 * <h2>Without the annotation: suite-wide</h2>
 * The extension is registered for JUnit's extension auto-detection. With
 * {@code junit.jupiter.extensions.autodetection.enabled=true} (e.g. in {@code junit-platform.properties}
 * or as a Surefire/Gradle configuration parameter) every test class is checked, with scope
 * {@link Scope#METHOD} and the defaults below, unless a {@code @CheckThreadLeaks} says otherwise.
 *
 * <h2>Configuration parameters</h2>
 * Read with {@code ExtensionContext.getConfigurationParameter}, so they can be given in
 * {@code junit-platform.properties}, as system properties, or through the build tool:
 * <table>
 *   <caption>Leakhound's configuration parameters</caption>
 *   <tr><th>key</th><th>values</th><th>applies</th></tr>
 *   <tr><td>{@code leakhound.scope}</td><td>{@code method} (default) or {@code class}</td>
 *       <td>where no {@code @CheckThreadLeaks} applies (auto-detection, plain {@code @ExtendWith})</td></tr>
 *   <tr><td>{@code leakhound.retryMillis}</td><td>milliseconds, default {@code 500}; {@code 0}: one
 *       capture, no waiting</td>
 *       <td>where no {@code @CheckThreadLeaks} applies</td></tr>
 *   <tr><td>{@code leakhound.ignoreThreadNames}</td><td>comma-separated regular expressions, each
 *       matched against the whole thread name (a regex containing a comma must go in the annotation)</td>
 *       <td>everywhere: added to the annotation's {@link #ignoreThreadNames()}</td></tr>
 * </table>
 * An invalid value fails the affected tests with a message naming the parameter.
 *
 * <h2>Parallel execution</h2>
 * With {@code junit.jupiter.execution.parallel.enabled=true} tests may run at the same time, and a thread
 * cannot be blamed on one test without knowing which test started it. The check then falls back to
 * {@link Scope#CLASS} for every class, publishes a report entry saying so, and adds a note to each failure.
 * If classes run concurrently too ({@code junit.jupiter.execution.parallel.mode.classes.default}, or else
 * {@code junit.jupiter.execution.parallel.mode.default}, is {@code concurrent}), even the class-level check
 * can report a thread of another class running at the same time; the note says that too.
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
     * checked if its class is checked with {@link Scope#CLASS}.
     */
    Scope scope() default Scope.METHOD;

    /**
     * Regular expressions; a thread whose whole name matches one of them is not reported.
     * {@code leakhound.ignoreThreadNames} adds to these.
     */
    String[] ignoreThreadNames() default {};

    /**
     * Methods as {@code fully.qualified.Class.method}: a thread whose top frame is one of them is not
     * reported. For a thread blocked inside the JDK its topmost frame of application code counts, so
     * {@code "com.example.Pool.workerLoop"} matches a worker parked in a queue's {@code take} called from
     * {@code workerLoop} (see {@link dev.leakhound.LeakOptions.Builder#ignoreTopFrame(String)}).
     */
    String[] ignoreTopFrames() default {};

    /**
     * Methods as {@code fully.qualified.Class.method}: a thread with one of them anywhere on its stack is
     * not reported.
     */
    String[] ignoreAnyFrames() default {};

    /**
     * How long threads get to end after the test (after its {@code @AfterEach}/{@code @AfterAll} cleanup)
     * before they are reported, in milliseconds: the check captures again with growing pauses (1 ms
     * doubling up to 100 ms) until no thread is left or this time has passed. {@code 0}: a single capture.
     */
    long retryMillis() default 500;

    /** Whether failure reports list the JDK's frames too, instead of folding them. */
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
