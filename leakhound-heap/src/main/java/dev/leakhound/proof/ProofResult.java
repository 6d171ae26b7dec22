package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapFrame;
import dev.leakhound.proof.WaitingThread.Wait;

import java.util.List;

/**
 * What the proof found ({@link LeakProof#prove}): the groups of leaked threads, the groups of blocked threads that are
 * not provably leaked, and counts; {@code refused} says why nothing could be proven when the dump lacks what the
 * proof needs (then {@code leaked} is empty), else {@code null}. {@link ProofText} and {@link ProofJson} write it.
 *
 * @param threads      the threads of the dump
 * @param candidates   of those, the ones blocked with no timeout
 * @param rounds       the rounds of marking and rescue
 * @param liveObjects  the objects marked reachable from what runs
 */
public record ProofResult(List<LeakedGroup> leaked, List<Rescued> rescued, int threads, int candidates, int rounds,
                          long liveObjects, String refused) {
    public int leakedThreads() {
        return leaked.stream().mapToInt(LeakedGroup::count).sum();
    }

    /**
     * A group of leaked threads: same stack, same way of waiting, same blocker class. {@code retainedBytes} and
     * {@code retainedObjects}: the shallow bytes and the number of the objects that only this group keeps alive
     * (reachable from its threads and frames, from nothing that runs, and from no other leaked group: what two groups
     * share counts in neither); -1 after the first 100 groups.
     */
    public record LeakedGroup(List<HeapFrame> stack, Wait waitKind, String blockerClass, List<WaitingThread> threads,
                              long retainedBytes, long retainedObjects) {
        public int count() {
            return threads.size();
        }
    }

    /**
     * A group of blocked threads that are not provably leaked, why, and for its first thread the shortest chain of
     * references from something live to what could wake it ({@code path}: the live end first, then one step per
     * reference; empty when not computed).
     */
    public record Rescued(List<HeapFrame> stack, Wait waitKind, String blockerClass, List<WaitingThread> threads,
                          String why, List<String> path) {
        public int count() {
            return threads.size();
        }
    }
}
