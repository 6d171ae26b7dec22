package dev.leakhound.capture;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.HeldMonitor;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The key test: known threads of this JVM, blocked in known ways, read back from every source, a real
 * {@code jcmd} (a separate process) writing the files, must give the same model as the live capture.
 *
 * <p>Compared for each known thread: id, name, virtual, state, stack frames (equal lists), blocker kind and
 * class, and the classes of held monitors. Identities are not compared across jstack and the others
 * (addresses versus identity hashes). jstack lists no virtual threads, and shows frames the JDK's own dumps
 * hide (hidden classes such as lambda proxies, and {@code @Hidden} methods such as {@code Thread.runWith}),
 * which are removed before comparing its stacks.
 */
class RealDumpsTest {

    private static final Duration JCMD_TIMEOUT = Duration.ofSeconds(180);

    @TempDir
    Path dir;

    private final SynchronousQueue<String> queue = new SynchronousQueue<>();
    private final Object waitMonitor = new Object();
    private final Object enterMonitor = new Object();
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Thread> started = new ArrayList<>();
    private ExecutorService executor;
    private volatile boolean stop;

    /** name in this test -> the thread. */
    private final Map<String, Thread> known = new LinkedHashMap<>();

    @BeforeEach
    void startKnownThreads() {
        String tag = "leakhound-real-" + ProcessHandle.current().pid() + "-";

        known.put("virtual in SynchronousQueue.put", start(Thread.ofVirtual().name(tag + "vq").unstarted(() -> {
            try {
                queue.put("never taken");
            } catch (InterruptedException e) {
                // cleanup
            }
        })));
        known.put("platform in Object.wait", start(Thread.ofPlatform().name(tag + "waiter").daemon(true).unstarted(() -> {
            synchronized (waitMonitor) {
                while (!stop) {
                    try {
                        waitMonitor.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        })));
        // holds enterMonitor while parked on a latch, so that the next one is BLOCKED entering it
        Thread holder = start(Thread.ofPlatform().name(tag + "holder").daemon(true).unstarted(() -> {
            synchronized (enterMonitor) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    // cleanup
                }
            }
        }));
        known.put("platform holding a monitor, in CountDownLatch.await", holder);
        await().atMost(Duration.ofSeconds(30)).until(() -> holder.getState() == Thread.State.WAITING
                && LockSupport.getBlocker(holder) != null);
        known.put("platform BLOCKED entering synchronized", start(Thread.ofPlatform().name(tag + "blocked").daemon(true)
                .unstarted(() -> {
                    synchronized (enterMonitor) {
                        Thread.onSpinWait();          // something to do inside
                    }
                })));

        executor = Executors.newVirtualThreadPerTaskExecutor();
        AtomicReference<Thread> inExecutor = new AtomicReference<>();
        executor.submit(() -> {
            inExecutor.set(Thread.currentThread());
            release.await();
            return null;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> inExecutor.get() != null);
        known.put("virtual in CountDownLatch.await in an executor", inExecutor.get());

        known.put("platform sleeping", start(Thread.ofPlatform().name(tag + "sleeper").daemon(true).unstarted(() -> {
            try {
                Thread.sleep(Duration.ofHours(1));
            } catch (InterruptedException e) {
                // cleanup
            }
        })));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            assertBlockedIn(known.get("virtual in SynchronousQueue.put"), Thread.State.WAITING, "SynchronousQueue", "put");
            assertBlockedIn(known.get("platform in Object.wait"), Thread.State.WAITING, "Object", "wait");
            assertBlockedIn(known.get("platform holding a monitor, in CountDownLatch.await"), Thread.State.WAITING,
                    "CountDownLatch", "await");
            assertBlockedIn(known.get("platform BLOCKED entering synchronized"), Thread.State.BLOCKED,
                    "RealDumpsTest", "lambda$startKnownThreads$");
            assertBlockedIn(known.get("virtual in CountDownLatch.await in an executor"), Thread.State.WAITING,
                    "CountDownLatch", "await");
            assertBlockedIn(known.get("platform sleeping"), Thread.State.TIMED_WAITING, "Thread", "sleep");
        });
    }

    private Thread start(Thread t) {
        started.add(t);
        t.start();
        return t;
    }

    private static void assertBlockedIn(Thread t, Thread.State state, String simpleClass, String methodPrefix) {
        assertThat(t.getState()).as("state of %s", t).isEqualTo(state);
        assertThat(Arrays.stream(t.getStackTrace()).anyMatch(e -> e.getClassName().endsWith(simpleClass)
                && e.getMethodName().startsWith(methodPrefix)))
                .as("%s is in %s.%s", t, simpleClass, methodPrefix).isTrue();
        if (state == Thread.State.WAITING && !simpleClass.equals("Object")) {
            assertThat(LockSupport.getBlocker(t)).as("blocker of %s", t).isNotNull();
        }
    }

    @AfterEach
    void stopKnownThreads() throws InterruptedException {
        stop = true;
        release.countDown();                                   // holder and the executor's thread
        queue.poll();                                          // takes the element: put returns
        for (Thread t : started) {
            t.interrupt();
        }
        if (executor != null) {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        for (Thread t : started) {
            t.join(Duration.ofSeconds(30));
            assertThat(t.isAlive()).as("%s ended", t).isFalse();
        }
    }

    @Test
    void everySourceGivesTheSameModelAsTheLiveCapture() throws Exception {
        Path jcmd = jcmd();
        assumeTrue(jcmd != null, "no jcmd next to this JVM (a JRE?)");
        long pid = ProcessHandle.current().pid();

        ThreadDump live = LiveThreads.capture();

        Path json = dir.resolve("threads.json");
        run(jcmd, dir.resolve("jcmd-json.log"), Long.toString(pid), "Thread.dump_to_file", "-format=json",
                json.toString());
        Path text = dir.resolve("threads.txt");
        run(jcmd, dir.resolve("jcmd-text.log"), Long.toString(pid), "Thread.dump_to_file", text.toString());
        Path print = dir.resolve("thread-print.txt");
        run(jcmd, print, Long.toString(pid), "Thread.print");

        ThreadDump fromJson = ThreadDumpReader.read(json);
        ThreadDump fromText = ThreadDumpReader.read(text);
        ThreadDump fromPrint = ThreadDumpReader.read(print);
        assertThat(fromJson.format()).isEqualTo(DumpFormat.JDK_JSON);
        assertThat(fromText.format()).isEqualTo(DumpFormat.JDK_TEXT);
        assertThat(fromPrint.format()).isEqualTo(DumpFormat.JSTACK);
        for (ThreadDump d : List.of(fromJson, fromText, fromPrint)) {
            assertThat(d.processId()).as("pid in %s", d.origin()).isEqualTo(pid);
        }
        assertThat(fromJson.runtimeVersion()).isEqualTo(Runtime.version().toString());
        assertThat(fromText.runtimeVersion()).isEqualTo(Runtime.version().toString());

        for (Map.Entry<String, Thread> e : known.entrySet()) {
            String what = e.getKey();
            Thread thread = e.getValue();
            ThreadSnapshot expected = find(live, thread.threadId())
                    .orElseThrow(() -> new AssertionError("live capture lacks " + what));

            // the live capture itself agrees with the Thread API
            assertThat(expected.name()).as(what).isEqualTo(thread.getName());
            assertThat(expected.virtual()).as(what).isEqualTo(thread.isVirtual());
            assertThat(expected.state()).as(what).isEqualTo(thread.getState());
            assertThat(expected.stack()).as(what).isEqualTo(
                    Arrays.stream(thread.getStackTrace()).map(StackFrame::of).toList());

            for (ThreadDump dump : List.of(fromJson, fromText)) {
                ThreadSnapshot actual = find(dump, thread.threadId())
                        .orElseThrow(() -> new AssertionError(dump.origin() + " lacks " + what));
                assertSame(what + " in " + dump.format(), actual, expected, false);
            }
            Optional<ThreadSnapshot> inPrint = find(fromPrint, thread.threadId());
            if (thread.isVirtual()) {
                assertThat(inPrint).as("jstack lists no virtual threads: " + what).isEmpty();
            } else {
                ThreadSnapshot actual = inPrint.orElseThrow(() -> new AssertionError("Thread.print lacks " + what));
                assertSame(what + " in jstack", actual, expected, true);
                assertThat(actual.daemon()).as(what).isEqualTo(thread.isDaemon());
            }
        }

        // the specifics, once, on the live model
        ThreadSnapshot vq = find(live, known.get("virtual in SynchronousQueue.put").threadId()).orElseThrow();
        assertThat(vq.blocker().kind()).isEqualTo(Blocker.Kind.PARKED_ON);
        assertThat(vq.blocker().className()).isEqualTo("java.util.concurrent.SynchronousQueue$Transferer");
        ThreadSnapshot waiter = find(live, known.get("platform in Object.wait").threadId()).orElseThrow();
        assertThat(waiter.blocker()).isEqualTo(Blocker.parse(Blocker.Kind.WAITING_ON,
                "java.lang.Object@" + Integer.toHexString(System.identityHashCode(waitMonitor)), null));
        ThreadSnapshot blocked = find(live, known.get("platform BLOCKED entering synchronized").threadId()).orElseThrow();
        // the live capture adds the owner ThreadMXBean gives: the holder below
        assertThat(blocked.blocker()).isEqualTo(Blocker.parse(Blocker.Kind.ENTERING,
                "java.lang.Object@" + Integer.toHexString(System.identityHashCode(enterMonitor)),
                known.get("platform holding a monitor, in CountDownLatch.await").threadId()));
        ThreadSnapshot holder = find(live, known.get("platform holding a monitor, in CountDownLatch.await").threadId())
                .orElseThrow();
        assertThat(holder.heldMonitors()).extracting(HeldMonitor::identity)
                .containsExactly(Integer.toHexString(System.identityHashCode(enterMonitor)));
        ThreadSnapshot inExecutor = find(live, known.get("virtual in CountDownLatch.await in an executor").threadId())
                .orElseThrow();
        assertThat(inExecutor.blocker().className()).isEqualTo("java.util.concurrent.CountDownLatch$Sync");
        assertThat(inExecutor.container()).startsWith("java.util.concurrent.ThreadPerTaskExecutor@");
        ThreadSnapshot sleeper = find(live, known.get("platform sleeping").threadId()).orElseThrow();
        assertThat(sleeper.blocker()).isNull();
        assertThat(sleeper.state()).isEqualTo(Thread.State.TIMED_WAITING);
    }

    private static void assertSame(String what, ThreadSnapshot actual, ThreadSnapshot expected, boolean jstack) {
        assertThat(actual.id()).as(what).isEqualTo(expected.id());
        assertThat(actual.name()).as(what).isEqualTo(expected.name());
        assertThat(actual.virtual()).as(what).isEqualTo(expected.virtual());
        assertThat(actual.state()).as("state of " + what).isEqualTo(expected.state());
        assertThat(jstack ? withoutHiddenFrames(actual.stack()) : actual.stack())
                .as("stack of " + what).isEqualTo(expected.stack());
        if (expected.blocker() == null) {
            assertThat(actual.blocker()).as("blocker of " + what).isNull();
        } else {
            assertThat(actual.blocker()).as("blocker of " + what).isNotNull();
            assertThat(actual.blocker().kind()).as("blocker kind of " + what).isEqualTo(expected.blocker().kind());
            assertThat(actual.blocker().className()).as("blocker class of " + what)
                    .isEqualTo(expected.blocker().className());
            if (!jstack) {
                assertThat(actual.blocker().identity()).as("blocker identity of " + what)
                        .isEqualTo(expected.blocker().identity());
            }
        }
        assertThat(actual.heldMonitors()).extracting(HeldMonitor::className).as("monitors of " + what)
                .isEqualTo(expected.heldMonitors().stream().map(HeldMonitor::className).toList());
        if (!jstack) {
            assertThat(actual.heldMonitors()).as("monitors of " + what).isEqualTo(expected.heldMonitors());
        }
    }

    /** jstack shows what {@link StackTraceElement}s hide: hidden classes and {@code Thread.runWith}. */
    private static List<StackFrame> withoutHiddenFrames(List<StackFrame> stack) {
        return stack.stream()
                .filter(f -> !f.className().contains("/0x"))
                .filter(f -> !(f.className().equals("java.lang.Thread") && f.methodName().equals("runWith")))
                .toList();
    }

    private static Optional<ThreadSnapshot> find(ThreadDump dump, long id) {
        return dump.threads().stream().filter(t -> t.id() == id).findFirst();
    }

    /** jcmd of the JDK running this test. */
    private static Path jcmd() {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of(System.getProperty("java.home"), "bin"));
        ProcessHandle.current().info().command().map(Path::of).map(Path::getParent).ifPresent(candidates::add);
        for (Path bin : candidates) {
            for (String name : List.of("jcmd", "jcmd.exe")) {
                Path p = bin.resolve(name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    private static void run(Path jcmd, Path output, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(jcmd.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            if (!p.waitFor(JCMD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("jcmd did not finish in " + JCMD_TIMEOUT + ": " + command);
            }
            assertThat(p.exitValue()).as("exit code of %s; output:%n%s", command,
                    Files.readString(output, StandardCharsets.UTF_8)).isZero();
        } finally {
            p.destroyForcibly();
        }
    }
}
