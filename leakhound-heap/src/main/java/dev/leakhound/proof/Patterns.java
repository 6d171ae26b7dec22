package dev.leakhound.proof;

import dev.leakhound.analysis.LeakPattern;
import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.analysis.PatternMatch.Certainty;
import dev.leakhound.hprof.index.HeapClass;
import dev.leakhound.hprof.index.HeapFrame;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.proof.WaitingThread.Wait;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leak pattern of a proven group, from what the proof saw: its threads' frames (the JDK call they block in),
 * whether they are an idle pool's workers and the pool is unreachable, a deadlock cycle, the owner of the lock they
 * wait for. All are {@link Certainty#PROVEN}: the proof showed nothing that runs can wake them. A group whose evidence
 * fits no rule is {@link LeakPattern#UNCLASSIFIED}. Not-proven groups are never given a leak pattern: they may be
 * healthy (an idle consumer whose producer lives).
 */
final class Patterns {
    private static final String JUC = "java.util.concurrent.";
    private static final Set<String> QUEUES = Set.of("SynchronousQueue", "LinkedBlockingQueue", "ArrayBlockingQueue",
            "LinkedBlockingDeque", "LinkedTransferQueue", "PriorityBlockingQueue", "DelayQueue");
    private static final Set<String> PUTS = Set.of("put", "putFirst", "putLast", "transfer");
    private static final Set<String> TAKES = Set.of("take", "takeFirst", "takeLast");
    /** A future's methods that run its task rather than wait for it. */
    private static final Set<String> RUNS_A_TASK = Set.of("run", "runAndReset", "exec", "doExec");

    private Patterns() {
    }

    /**
     * The pattern of a leaked group. {@code cycle}: the deadlock its threads are in, or null; {@code threads}: the
     * dump's threads by {@code Thread} object; {@code leaked}: the leaked threads' objects.
     */
    static PatternMatch leaked(HeapIndex index, List<WaitingThread> group, ProofResult.Pool pool,
                               Deadlocks.Cycle cycle, Map<Long, WaitingThread> threads, Set<Long> leaked) {
        if (cycle != null) {
            return proven(LeakPattern.DEADLOCK, cycle.evidence());
        }
        WaitingThread first = group.get(0);
        int n = group.size();
        List<HeapFrame> stack = first.stack();
        if (has(stack, JUC + "ThreadPoolExecutor", "getTask") || has(stack, JUC + "ForkJoinPool", "awaitWork")) {
            String executor = pool == null ? "its work queue" : "its executor (" + simple(pool.executorClass()) + ")";
            return proven(LeakPattern.FORGOTTEN_POOL, count(n, "idle worker") + " of a pool; " + executor
                    + " is reachable from nothing that runs, so it can never be shut down");
        }
        if (has(stack, "java.lang.Thread", "join")) {
            return PatternMatch.unclassified(Certainty.PROVEN, count(n, "thread") + " in Thread.join on a thread"
                    + " that never ends");
        }
        if (first.waitKind() == Wait.WAITING) {
            return proven(LeakPattern.ORPHAN_WAIT, count(n, "thread") + " in Object.wait(); the monitor is"
                    + " reachable from no thread that runs and held by none");
        }
        if (first.waitKind() != Wait.PARKED) {
            return PatternMatch.unclassified(Certainty.PROVEN, count(n, "thread") + " waiting to enter a monitor");
        }
        HeapFrame put = queueCall(stack, PUTS);
        if (put != null) {
            return proven(LeakPattern.ABANDONED_SENDERS, n + (n == 1 ? " putter" : " putters") + " ("
                    + shortName(put) + "), 0 takers reachable");
        }
        HeapFrame take = queueCall(stack, TAKES);
        if (take != null && taskOfAFuture(stack) != null) {
            // A future's task waiting to receive: its caller may have stopped waiting (with a timeout) or the
            // queue's feeder may be gone; the heap shows neither, so no pattern is named.
            return PatternMatch.unclassified(Certainty.PROVEN, n + (n == 1 ? " task" : " tasks") + " of "
                    + taskOfAFuture(stack) + " in " + shortName(take) + ": abandoned after a timeout, or a receiver"
                    + " nobody feeds; the dump does not say which");
        }
        if (take != null) {
            return proven(LeakPattern.ABANDONED_RECEIVER, n + (n == 1 ? " taker" : " takers") + " ("
                    + shortName(take) + "), no feeder reachable");
        }
        HeapFrame latch = first(stack, JUC + "CountDownLatch", JUC + "CyclicBarrier", JUC + "Phaser");
        if (latch != null) {
            return proven(LeakPattern.LATCH_NEVER_RELEASED, count(n, "thread") + " in " + shortName(latch)
                    + "; the " + simple(latch.className()) + " is reachable from no thread that runs");
        }
        HeapFrame future = waitForAFuture(stack);
        if (future != null) {
            return proven(LeakPattern.LOST_FUTURE, count(n, "thread") + " in " + shortName(future)
                    + "; the future is reachable from no thread that runs");
        }
        if (has(stack, JUC + "locks.AbstractQueuedSynchronizer", "acquire") && first.blockerId() != 0
                && Deadlocks.ownerReleases(className(index, first.blockerId()))) {
            return lock(index, first, n, threads, leaked);
        }
        HeapFrame await = first(stack, JUC + "locks.AbstractQueuedSynchronizer$ConditionObject");
        if (await != null) {
            return proven(LeakPattern.ORPHAN_WAIT, count(n, "thread") + " in Condition.await; the condition is"
                    + " reachable from no thread that runs");
        }
        return PatternMatch.unclassified(Certainty.PROVEN, count(n, "thread") + " parked in "
                + (first.stack().isEmpty() ? "no frame" : Calls.of(stack, Wait.PARKED).call())
                + ", which no rule recognises");
    }

    /** A lock waiter: the pattern says whose lock it is, when the owner ended or is leaked too. */
    private static PatternMatch lock(HeapIndex index, WaitingThread first, int n, Map<Long, WaitingThread> threads,
                                     Set<Long> leaked) {
        HeapClass aos = index.classByName(JUC + "locks.AbstractOwnableSynchronizer");
        long owner = aos == null || first.blockerId() == 0 ? 0 : Deadlocks.ownerOf(index, aos, first.blockerId());
        String lock = first.blockerId() == 0 ? "lock" : simple(className(index, first.blockerId()));
        if (owner == 0 || owner == first.objectId()) {
            return PatternMatch.unclassified(Certainty.PROVEN, count(n, "thread") + " waiting for a " + lock
                    + " that no thread owns or that is reachable from no thread that runs");
        }
        WaitingThread o = threads.get(owner);
        if (o == null) {
            return proven(LeakPattern.LOCK_NEVER_RELEASED, count(n, "thread") + " waiting for a " + lock
                    + " whose owner thread has ended");
        }
        if (leaked.contains(owner)) {
            return proven(LeakPattern.LOCK_NEVER_RELEASED, count(n, "thread") + " waiting for a " + lock
                    + " whose owner " + o.label() + " is leaked too");
        }
        return PatternMatch.unclassified(Certainty.PROVEN, count(n, "thread") + " waiting for a " + lock
                + " owned by " + o.label() + ", reachable from no thread that runs");
    }

    /** A not-proven group: it may be healthy, so no leak pattern is named. */
    static PatternMatch notProven(String why) {
        return PatternMatch.unclassified(Certainty.LIKELY, "not proven leaked: " + why);
    }

    private static PatternMatch proven(LeakPattern p, String evidence) {
        return new PatternMatch(p, Certainty.PROVEN, evidence);
    }

    /** The outermost frame of a blocking queue's method of those names: the call the application made. */
    private static HeapFrame queueCall(List<HeapFrame> stack, Set<String> methods) {
        HeapFrame found = null;
        for (HeapFrame f : stack) {
            if (f.className().startsWith(JUC) && QUEUES.contains(f.className().substring(JUC.length()))
                    && methods.contains(f.methodName())) {
                found = f;
            }
        }
        return found;
    }

    /**
     * The outermost frame that waits for a future's result ({@code get}, {@code join}, ...), or null; a future's
     * {@code run} frame (the thread runs its task) is not a wait for it.
     */
    private static HeapFrame waitForAFuture(List<HeapFrame> stack) {
        HeapFrame found = null;
        for (HeapFrame f : stack) {
            if ((f.className().equals(JUC + "CompletableFuture") || f.className().equals(JUC + "FutureTask")
                    || f.className().equals(JUC + "ForkJoinTask")) && !RUNS_A_TASK.contains(f.methodName())) {
                found = f;
            }
        }
        return found;
    }

    /** {@code a FutureTask} or {@code a CompletableFuture} when the thread runs a future's task, else null. */
    private static String taskOfAFuture(List<HeapFrame> stack) {
        for (HeapFrame f : stack) {
            if (f.className().equals(JUC + "FutureTask") && f.methodName().equals("run")) {
                return "a FutureTask";
            }
            if (f.className().startsWith(JUC + "CompletableFuture$Async") && f.methodName().equals("run")) {
                return "a CompletableFuture";
            }
        }
        return null;
    }

    /** The outermost frame of any of those classes, or null. */
    private static HeapFrame first(List<HeapFrame> stack, String... classes) {
        HeapFrame found = null;
        for (HeapFrame f : stack) {
            for (String c : classes) {
                if (f.className().equals(c)) {
                    found = f;
                }
            }
        }
        return found;
    }

    private static boolean has(List<HeapFrame> stack, String cls, String method) {
        for (HeapFrame f : stack) {
            if (f.className().equals(cls) && f.methodName().equals(method)) {
                return true;
            }
        }
        return false;
    }

    private static String className(HeapIndex index, long id) {
        HeapClass c = index.classOf(id);
        return c == null ? "?" : c.name();
    }

    private static String shortName(HeapFrame f) {
        return simple(f.className()) + "." + f.methodName();
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
