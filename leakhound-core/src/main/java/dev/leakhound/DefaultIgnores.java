package dev.leakhound;

import dev.leakhound.analysis.JdkFrames;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The threads every leak check ignores unless told otherwise ({@link LeakOptions.Builder#withoutDefaultIgnores()}):
 * the JDK's own service threads, idle fork-join workers (they end by themselves after their keep-alive),
 * the carriers of virtual threads, and the threads of test runners. Add your own with
 * {@link LeakOptions.Builder#ignore(IgnoreRule)}.
 */
public final class DefaultIgnores {
    private DefaultIgnores() {
    }

    /** Names of threads the JDK starts for itself. */
    public static final Set<String> JDK_THREAD_NAMES = Set.of(
            "Reference Handler", "Finalizer", "Signal Dispatcher", "Attach Listener", "Common-Cleaner",
            "Notification Thread", "Service Thread", "process reaper", "DestroyJavaVM",
            "VirtualThread-unblocker", "VirtualThread-unparker", "Read-Poller", "Write-Poller",
            "Monitor Deflation Thread", "Sweeper thread",
            "JFR Recorder Thread", "JFR Periodic Tasks", "JFR Shutdown Hook", "JFR Recording Scheduler",
            "JFR Event Stream", "RMI TCP Accept-0", "RMI Scheduler(0)", "JMX server connection timeout",
            "Java2D Disposer", "Monitor Ctrl-Break");

    private static final Pattern RUNNER_NAMES = Pattern.compile(
            "surefire-forkedjvm-.*|junit-jupiter-timeout-watcher|junit-timeout-.*|Test worker|"
            + "/127\\.0\\.0\\.1:\\d+ to /127\\.0\\.0\\.1:\\d+ workers Thread \\d+|"   // Gradle daemon link
            + "(Read|Write)-Poller(-\\d+)?|process reaper.*");

    private static final List<String> RUNNER_PACKAGES = List.of(
            "org.junit.platform.engine.support.hierarchical.",   // JUnit's parallel executor workers
            "org.apache.maven.surefire.", "org.gradle.", "com.intellij.rt.");

    public static final IgnoreRule JDK_THREADS = new IgnoreRule(
            "the JDK's own threads (" + String.join(", ", JDK_THREAD_NAMES.stream().sorted().toList()) + ")",
            t -> !t.virtual() && JDK_THREAD_NAMES.contains(t.name()) || t.virtual() && isPoller(t));

    public static final IgnoreRule IDLE_FORK_JOIN_WORKERS = new IgnoreRule(
            "idle ForkJoinPool workers, the common pool's included (they end by themselves when idle long enough),"
            + " and a pool's delay scheduler (JDK 25+, started by the first timed wait of a virtual thread)",
            DefaultIgnores::isIdleForkJoinWorker);

    public static final IgnoreRule VIRTUAL_THREAD_CARRIERS = new IgnoreRule(
            "carrier threads of the virtual-thread scheduler",
            DefaultIgnores::isCarrier);

    public static final IgnoreRule TEST_RUNNER_THREADS = new IgnoreRule(
            "threads of test runners and IDEs (Surefire, JUnit Platform, Gradle, IntelliJ)",
            t -> RUNNER_NAMES.matcher(t.name()).matches() || hasFrameIn(t, RUNNER_PACKAGES)
                    && !t.virtual() && isBottomRunner(t));

    public static final IgnoreRule LEAKHOUND_THREADS = new IgnoreRule(
            "Leakhound's own threads (named leakhound-*)",
            t -> t.name().startsWith("leakhound-"));

    /** All default rules, in the order they are tried. */
    public static List<IgnoreRule> rules() {
        return List.of(JDK_THREADS, IDLE_FORK_JOIN_WORKERS, VIRTUAL_THREAD_CARRIERS, TEST_RUNNER_THREADS,
                LEAKHOUND_THREADS);
    }

    private static boolean isPoller(ThreadSnapshot t) {
        return t.name().endsWith("-Poller") || t.name().matches("(Read|Write)-Poller-\\d+");
    }

    private static boolean isIdleForkJoinWorker(ThreadSnapshot t) {
        if (t.virtual()) {
            return false;
        }
        for (StackFrame f : t.stack()) {
            if (JdkFrames.isMachinery(f)) {
                continue;
            }
            return f.className().equals("java.util.concurrent.ForkJoinPool")
                    && (f.methodName().equals("awaitWork") || f.methodName().equals("runWorker")
                        || f.methodName().equals("deactivate"))
                    || f.className().equals("java.util.concurrent.DelayScheduler") && f.methodName().equals("loop");
        }
        return false;
    }

    /** A carrier runs continuations: a platform thread with {@code Continuation.run} or a carrier class at its base. */
    private static boolean isCarrier(ThreadSnapshot t) {
        if (t.virtual()) {
            return false;
        }
        for (StackFrame f : t.stack()) {
            String c = f.className();
            if (c.equals("jdk.internal.vm.Continuation") || c.equals("jdk.internal.misc.CarrierThread")) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasFrameIn(ThreadSnapshot t, List<String> packages) {
        for (StackFrame f : t.stack()) {
            for (String p : packages) {
                if (f.className().startsWith(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The runner's code is at the base of the stack: the thread belongs to the runner, not to a test. */
    private static boolean isBottomRunner(ThreadSnapshot t) {
        List<StackFrame> s = t.stack();
        for (int i = s.size() - 1; i >= 0; i--) {
            StackFrame f = s.get(i);
            if (JdkFrames.isJdk(f)) {
                continue;
            }
            for (String p : RUNNER_PACKAGES) {
                if (f.className().startsWith(p)) {
                    return true;
                }
            }
            return false;
        }
        return false;
    }
}
