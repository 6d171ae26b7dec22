package dev.leakhound.testing.gc;

import java.util.ArrayList;
import java.util.List;

/**
 * A program for child JVMs whose GC logs the tests read: {@code GcWorkload leak|steady ROUNDS GARBAGE_MB LEAK_MB}.
 *
 * <p>It keeps 4 MB live throughout, then runs ROUNDS rounds; each allocates GARBAGE_MB of short-lived 8 KB
 * arrays (young collections happen when that is more than the young generation) and, in {@code leak} mode, keeps
 * LEAK_MB more of them in a static list that only grows; each round ends with {@code System.gc()}, a collection
 * with the program stopped, so every collector logs a heap-after that is the live set (for ZGC and Shenandoah
 * the cycles the heap's occupancy triggers also count heap allocated while they run). The leak is a steady
 * rise of LEAK_MB per round; without it the live set stays flat.
 */
public final class GcWorkload {
    private static final int ARRAY = 8 * 1024;
    static final List<byte[]> LEAKED = new ArrayList<>();
    static byte[][] live;

    private GcWorkload() {
    }

    public static void main(String[] args) {
        boolean leak = args[0].equals("leak");
        int rounds = Integer.parseInt(args[1]);
        int garbagePerRound = Integer.parseInt(args[2]) * (1024 * 1024 / ARRAY);
        int leakPerRound = Integer.parseInt(args[3]) * (1024 * 1024 / ARRAY);
        live = new byte[4 * 1024 * 1024 / ARRAY][];
        for (int i = 0; i < live.length; i++) {
            live[i] = new byte[ARRAY];
        }
        byte[][] ring = new byte[64][];
        int every = Math.max(1, garbagePerRound / Math.max(1, leakPerRound));
        long n = 0;
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < garbagePerRound; k++) {
                ring[(int) (n++ & 63)] = new byte[ARRAY];
                if (leak && k % every == 0) {
                    LEAKED.add(new byte[ARRAY]);
                }
            }
            System.gc();
            System.out.println("round " + (r + 1) + ": " + LEAKED.size() * (long) ARRAY / (1024 * 1024) + " MB leaked");
        }
        System.out.println("done " + ring.length);
    }
}
