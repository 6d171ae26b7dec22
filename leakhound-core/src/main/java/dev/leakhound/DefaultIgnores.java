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
 *
 * <p>A name alone never makes a thread the JDK's or a runner's: the rules also require that the stack
 * holds no application frame, so a thread of yours that happens to be called {@code Finalizer} or
 * {@code Orders-Poller} is still checked.
 */
public final class DefaultIgnores {
    private DefaultIgnores() {
    }

    /** Names of threads the JDK starts for itself. */
    public static final Set<String> JDK_THREAD_NAMES = Set.of(
            "Reference Handler", "Finalizer", "Signal Dispatcher", "Attach Listener", "Common-Cleaner",
            "Notification Thread", "Service Thread", "process reaper", "DestroyJavaVM",
            "VirtualThread-unblocker", "VirtualThread-unparker", "Monitor Deflation Thread", "Sweeper thread",
            "Keep-Alive-Timer", "Keep-Alive-SocketCleaner", "Java2D Disposer");

    /** Name families of the JDK's threads (JFR, JMX, RMI, pollers). */
    private static final Pattern JDK_THREAD_NAME_FAMILIES = Pattern.compile(
            "JFR .*|JMX server connection timeout.*|RMI .*|(Read|Write|Master|Sub)-?Poller.*|process reaper.*");

    /** Runner threads whose stacks are all JDK (scheduled executors of the runner). */
    private static final Pattern RUNNER_THREAD_NAMES = Pattern.compile(
            "surefire-forkedjvm-.*|junit-jupiter-timeout-watcher|Monitor Ctrl-Break");

    private static final List<String> RUNNER_PACKAGES = List.of(
            "org.junit.platform.", "org.apache.maven.surefire.", "org.gradle.", "com.intellij.rt.",
            "org.eclipse.jdt.internal.junit");

    public static final IgnoreRule JDK_THREADS = new IgnoreRule(
            "the JDK's own threads, by name (" + String.join(", ", JDK_THREAD_NAMES.stream().sorted().toList())
            + "; JFR, JMX, RMI and I/O poller threads) or by stack (InnocuousThread, pollers, RMI), with no"
            + " application frame",
            t -> onlyJdkFrames(t) && (!t.virtual() && JDK_THREAD_NAMES.contains(t.name())
                    || JDK_THREAD_NAME_FAMILIES.matcher(t.name()).matches()
                    || !t.virtual() && isInnocuous(t)
                    || hasFrameStartingWith(t, "sun.nio.ch.Poller")
                    || hasFrameStartingWith(t, "sun.rmi.")));

    public static final IgnoreRule IDLE_FORK_JOIN_WORKERS = new IgnoreRule(
            "idle ForkJoinPool workers, the common pool's included (they end by themselves when idle long enough),"
            + " and the delay scheduler of the common pool and of the virtual-thread scheduler (JDK 25+)",
            t -> !t.virtual() && (isIdleForkJoinWorker(t) || isSystemDelayScheduler(t)));

    public static final IgnoreRule VIRTUAL_THREAD_CARRIERS = new IgnoreRule(
            "carrier threads of the virtual-thread scheduler",
            DefaultIgnores::isCarrier);

    public static final IgnoreRule TEST_RUNNER_THREADS = new IgnoreRule(
            "threads of test runners and IDEs (Surefire, JUnit Platform, Gradle, IntelliJ, Eclipse): their code is"
            + " at the base of the stack, or they are the runner's named service threads",
            t -> !t.virtual() && (isBottomRunner(t)
                    || RUNNER_THREAD_NAMES.matcher(t.name()).matches() && onlyFramesOf(t, RUNNER_PACKAGES)));

    public static final IgnoreRule LEAKHOUND_THREADS = new IgnoreRule(
            "Leakhound's own threads (named leakhound-*, running Leakhound's code)",
            t -> t.name().startsWith("leakhound-") && onlyFramesOf(t, List.of("dev.leakhound.")));

    /** All default rules, in the order they are tried. */
    public static List<IgnoreRule> rules() {
        return List.of(JDK_THREADS, IDLE_FORK_JOIN_WORKERS, VIRTUAL_THREAD_CARRIERS, TEST_RUNNER_THREADS,
                LEAKHOUND_THREADS);
    }

    private static boolean onlyJdkFrames(ThreadSnapshot t) {
        for (StackFrame f : t.stack()) {
            if (!f.isJdk()) {
                return false;
            }
        }
        return true;
    }

    /** Frames of the JDK or of these packages only. */
    private static boolean onlyFramesOf(ThreadSnapshot t, List<String> packages) {
        for (StackFrame f : t.stack()) {
            if (!f.isJdk() && packages.stream().noneMatch(f.className()::startsWith)) {
                return false;
            }
        }
        return true;
    }

    /** The JDK's internal thread class for its own service threads. */
    private static boolean isInnocuous(ThreadSnapshot t) {
        StackFrame base = t.stack().isEmpty() ? null : t.stack().get(t.stack().size() - 1);
        return base != null && base.className().equals("jdk.internal.misc.InnocuousThread");
    }

    private static boolean hasFrameStartingWith(ThreadSnapshot t, String prefix) {
        for (StackFrame f : t.stack()) {
            if (f.className().startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isIdleForkJoinWorker(ThreadSnapshot t) {
        for (StackFrame f : t.stack()) {
            if (JdkFrames.isMachinery(f)) {
                continue;
            }
            return f.className().equals("java.util.concurrent.ForkJoinPool")
                    && (f.methodName().equals("awaitWork") || f.methodName().equals("runWorker")
                        || f.methodName().equals("deactivate"));
        }
        return false;
    }

    /**
     * A ForkJoinPool's delay scheduler (JDK 25+) lives until its pool shuts down. Those of the common pool
     * and of the virtual-thread scheduler are the JDK's; a user pool's is the user's to shut down.
     */
    private static boolean isSystemDelayScheduler(ThreadSnapshot t) {
        if (!onlyJdkFrames(t) || !hasFrameStartingWith(t, "java.util.concurrent.DelayScheduler")) {
            return false;
        }
        String name = t.name();
        if (name.startsWith("ForkJoinPool.commonPool")) {
            return true;
        }
        String scheduler = VirtualThreadScheduler.poolName();
        return scheduler != null && name.startsWith(scheduler + "-");
    }

    /** A carrier runs continuations: a platform thread with {@code Continuation.run} on its stack. */
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

    /** The runner's code is at the base of the stack: the thread belongs to the runner, not to a test. */
    private static boolean isBottomRunner(ThreadSnapshot t) {
        List<StackFrame> s = t.stack();
        for (int i = s.size() - 1; i >= 0; i--) {
            StackFrame f = s.get(i);
            if (f.isJdk()) {
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
