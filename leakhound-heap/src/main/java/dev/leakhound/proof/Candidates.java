package dev.leakhound.proof;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 1: the candidates, the threads blocked with no timeout ({@link WaitingThread.Wait#untimed()}), and those of
 * them excused before marking starts: a thread waiting on a {@code ReferenceQueue}, which the garbage collector may
 * fill by itself.
 */
final class Candidates {
    private final List<WaitingThread> all = new ArrayList<>();
    private final Map<WaitingThread, Reason> excused = new LinkedHashMap<>();
    private int[] serials;                                 // sorted: no boxed set of 100k serials

    private Candidates() {
    }

    static Candidates of(List<WaitingThread> threads) {
        Candidates c = new Candidates();
        for (WaitingThread t : threads) {
            if (t.waitKind().untimed()) {
                c.all.add(t);
                if (t.stack().stream().anyMatch(f -> f.className().equals("java.lang.ref.ReferenceQueue"))) {
                    // The GC enqueues references by itself: a thread waiting on a queue may be woken by it.
                    c.excused.put(t, new Reason("it waits on a ReferenceQueue, which the garbage collector may fill",
                            t.objectId()));
                }
            }
        }
        c.serials = c.all.stream().mapToInt(WaitingThread::serial).sorted().toArray();
        return c;
    }

    /** Every candidate, in the order of the dump's threads. */
    List<WaitingThread> all() {
        return all;
    }

    /** The candidates rescued before marking starts, and why. */
    Map<WaitingThread, Reason> excused() {
        return excused;
    }

    /** Whether the thread with that serial is a candidate. */
    boolean hasSerial(int serial) {
        return java.util.Arrays.binarySearch(serials, serial) >= 0;
    }

    int size() {
        return all.size();
    }
}
