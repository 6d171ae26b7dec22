package dev.leakhound.hprof;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM's main: {@code SmallDump FILE [OBJECTS [THREADS]]} keeps OBJECTS small objects (default 1000) and
 * THREADS parked virtual threads (default 2), dumps its live heap to FILE (replacing it) and exits. With many objects
 * it makes the large dumps of the memory measurement ({@link MeasureMain}) and of the benchmark against Shark
 * ({@code leakhound-bench}'s {@code SharkComparison}, through this module's test jar).
 */
public final class SmallDump {
    /** 24 bytes of fields in the dump: the "many small objects" of a leaking cache. */
    static final class Item {
        final long key;
        final int value;
        final Item next;

        Item(long key, int value, Item next) {
            this.key = key;
            this.value = value;
            this.next = next;
        }
    }

    private SmallDump() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int parked = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        List<?> chunks = items(n);
        CountDownLatch latch = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < parked; i++) {
            threads.add(Thread.ofVirtual().name("small-dump-vt-" + i).start(() -> {
                try {
                    latch.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : threads) {                           // parked in await before the dump
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!parkedInAwait(t)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(t + " did not park in CountDownLatch.await: " + t.getState());
                }
                LockSupport.parkNanos(1_000_000);            // the poll interval; spinning would starve the threads
            }
        }
        Path file = Path.of(args[0]).toAbsolutePath();
        Files.deleteIfExists(file);                          // dumpHeap refuses to overwrite
        long t0 = System.nanoTime();
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(file.toString(), true);
        System.out.println("dumped " + n + " items in " + (System.nanoTime() - t0) / 1_000_000 + " ms; "
                + chunks.size() + " chunks, " + parked + " parked virtual threads");
        latch.countDown();
        for (Thread t : threads) {
            t.join();
        }
    }

    /**
     * {@code n} small objects in chunks of 4096 (arrays), each linked to the one before but every eighth: the
     * ordinary objects of a dump (also {@code leakhound-bench}'s {@code ThreadsDump}'s). Keep the list to keep them.
     */
    public static List<?> items(int n) {
        List<Item[]> chunks = new ArrayList<>();
        Item prev = null;
        Item[] chunk = null;
        for (int i = 0; i < n; i++) {
            if (i % 4096 == 0) {
                chunk = new Item[4096];
                chunks.add(chunk);
            }
            prev = new Item(i, i * 31, (i & 7) == 0 ? null : prev);
            chunk[i % 4096] = prev;
        }
        return chunks;
    }

    /**
     * Whether {@code t} is WAITING in {@code CountDownLatch.await}: where it stays, not merely "not running" (a
     * virtual thread may wait elsewhere for a moment on its way). The state is read before and after the stack.
     */
    private static boolean parkedInAwait(Thread t) {
        if (t.getState() != Thread.State.WAITING) {
            return false;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(CountDownLatch.class.getName()) && e.getMethodName().equals("await")) {
                return t.getState() == Thread.State.WAITING;
            }
        }
        return false;
    }

    /** Runs this main in a child JVM with the test JVM's java; returns the dump. */
    static Path inChildJvm(Path file, int objects, String... jvmArgs) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmArgs));
        cmd.add("-cp");
        cmd.add(Path.of(SmallDump.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        cmd.add(SmallDump.class.getName());
        cmd.add(file.toString());
        cmd.add(Integer.toString(objects));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("child JVM failed: " + cmd + "\n" + out);
        }
        return file;
    }
}
