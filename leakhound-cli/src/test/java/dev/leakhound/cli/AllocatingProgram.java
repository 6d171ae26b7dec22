package dev.leakhound.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A program for the heap-profile tests, run in a child JVM ({@link ChildJvm}): prints {@code ready}, waits for
 * {@code go} (so that a recording started in between sees its threads start), then at once
 * <ul>
 *   <li>leaks: a platform thread started by {@link #startLeaker} keeps {@value #LEAKED} buffers of 256 KB, each
 *       allocated by {@link #leakBuffer} (the line a heap profile must put on top of its inuse view);</li>
 *   <li>leaks on a virtual thread: {@value #VIRTUAL_LEAKED} buffers of 128 KB from {@link #virtualBuffer};</li>
 *   <li>churns: a platform thread started by {@link #startChurner} allocates {@value #CHURN_MB} MB of 2 KB arrays
 *       that die at once, in {@link #churnArray} (the top of the alloc view: far more bytes than the leaks);</li>
 * </ul>
 * prints {@code done} when all three are over, and runs until it reads {@code exit}.
 */
public final class AllocatingProgram {
    static final int LEAKED = 240;
    static final int VIRTUAL_LEAKED = 120;
    static final int CHURN_MB = 3072;

    static final List<byte[]> KEPT = new ArrayList<>();
    /** Where the churned arrays go for an instant, so that the JIT cannot leave their allocation out. */
    static final Object[] RING = new Object[64];
    static volatile long sink;

    private AllocatingProgram() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null && !line.strip().equals("go")) {
            if (line.strip().equals("exit")) {
                return;
            }
        }
        Thread leaker = startLeaker();
        Thread virtual = Thread.ofVirtual().name("virtual-leaker").start(() -> {
            for (int i = 0; i < VIRTUAL_LEAKED; i++) {
                keep(virtualBuffer());
            }
        });
        Thread churner = startChurner();
        leaker.join();
        virtual.join();
        churner.join();
        // The old-object sampler looks for root paths only for samples that survived a collection, as a
        // running program's do.
        System.gc();
        System.out.println("done");
        System.out.flush();
        while ((line = in.readLine()) != null && !line.strip().equals("exit")) {
            // until told
        }
        System.out.println(KEPT.size() + " " + sink);
    }

    static Thread startLeaker() {
        Thread t = new Thread(() -> {
            for (int i = 0; i < LEAKED; i++) {
                keep(leakBuffer());
            }
        }, "leaker");
        t.start();
        return t;
    }

    static Thread startChurner() {
        Thread t = new Thread(() -> {
            long arrays = CHURN_MB * 1024L / 2;
            for (long i = 0; i < arrays; i++) {
                RING[(int) (i & 63)] = churnArray();
            }
            sink += RING.length;
        }, "churner");
        t.start();
        return t;
    }

    static byte[] leakBuffer() {
        return new byte[256 * 1024];
    }

    static byte[] virtualBuffer() {
        return new byte[128 * 1024];
    }

    static long[] churnArray() {
        return new long[254];
    }

    private static synchronized void keep(byte[] b) {
        KEPT.add(b);
    }
}
