package dev.leakhound.proof;

import dev.leakhound.analysis.PatternMatch;
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
     * share counts in neither; a virtual thread's stack counts at its {@code StackChunk}'s real size, see
     * {@link LeakProof}); -1 after the first 100 groups. {@code pool}: the executor its first thread works for, or
     * {@code null}. {@code pattern}: what kind of leak it is, proven ({@code deadlock} for a cycle, whose threads form
     * one group), or unclassified.
     */
    public record LeakedGroup(List<HeapFrame> stack, Wait waitKind, String blockerClass, List<WaitingThread> threads,
                              long retainedBytes, long retainedObjects, Pool pool, PatternMatch pattern) {
        public int count() {
            return threads.size();
        }

        /** The blocking call in the user's terms. */
        public Call call() {
            return Call.of(stack, waitKind);
        }
    }

    /**
     * A group of blocked threads that are not provably leaked, why, and for its first thread the chain of
     * references from something live to what could wake it ({@code path}; {@code null} when the reason is not
     * reachability). {@code pool}: the executor its first thread works for, or {@code null}. {@code pattern}: always
     * unclassified (it may be healthy), {@code likely}, with why as its evidence.
     */
    public record Rescued(List<HeapFrame> stack, Wait waitKind, String blockerClass, List<WaitingThread> threads,
                          String why, Path path, Pool pool, PatternMatch pattern) {
        public int count() {
            return threads.size();
        }

        /** The blocking call in the user's terms. */
        public Call call() {
            return Call.of(stack, waitKind);
        }
    }

    /**
     * The shortest chain of references from what is live to an object, root end first: the {@code root} that holds
     * the chain, then one {@code step} per reference, equal steps in a row counted once ({@link Step#repeat}).
     * {@code limit} says in plain words what was not traced, or is {@code null} when the chain is whole; with no
     * root (not traced at all) {@code steps} is empty. {@code stepsNotShown}: references left out at the target
     * end.
     */
    public record Path(Root root, List<Step> steps, long stepsNotShown, String limit) {
        public Path {
            steps = List.copyOf(steps);
        }

        /** A path that was not traced, and why. */
        static Path notTraced(String why) {
            return new Path(null, List.of(), 0, why);
        }
    }

    /**
     * Where a path starts: what keeps its first object alive, in words ({@link #words}): a static field (the
     * nearest one to the target when the chain passes through several: what is before it only keeps its class
     * loaded), a local of a thread's frame, a JNI reference, a thread that runs.
     *
     * @param kind   what kind of root
     * @param name   {@code com.example.Cache.POOL}; {@code "main"}, frame 3: the thread's label and its frame;
     *               the class of a system class; else empty
     * @param object the class of the object it holds
     */
    public record Root(Kind kind, String name, String object) {
        public enum Kind {
            /** A static field of a class: {@code name} is {@code Class.field}. */
            STATIC_FIELD,
            /** A local of a thread's frame: {@code name} is the thread and the frame's method. */
            FRAME,
            /** A thread that runs or wakes by itself: {@code name} is the thread. */
            RUNNING_THREAD,
            /** A JNI global reference. */
            JNI_GLOBAL,
            /** A JNI local reference of a thread: {@code name} is the thread. */
            JNI_LOCAL,
            /** A slot of a thread's native stack or thread block: {@code name} is the thread. */
            NATIVE,
            /** A class the VM keeps loaded: {@code name} is the class. */
            SYSTEM_CLASS,
            /** Another kind of GC root: {@code name} is its kind in the dump. */
            OTHER
        }

        /** {@code the static field com.example.Cache.POOL}, {@code thread "main"'s frame in Main.run(Main.java:12)}. */
        public String words() {
            return switch (kind) {
                case STATIC_FIELD -> "the static field " + name;
                case FRAME -> name;
                case RUNNING_THREAD -> "the thread " + name + ", which runs or wakes by itself";
                case JNI_GLOBAL -> "a JNI global reference";
                case JNI_LOCAL -> "a JNI local reference of thread " + name;
                case NATIVE -> "the native stack of thread " + name;
                case SYSTEM_CLASS -> "the system class " + name;
                case OTHER -> "a GC root (" + name + ")";
            };
        }
    }

    /**
     * One reference of a path: {@code via} how ({@code .field}, {@code [3]}, {@code (a local of its thread's
     * frames)}), {@code to} the class of the object it leads to ({@code class NAME} for a class object), made
     * {@code repeat} times in a row.
     */
    public record Step(String via, String to, int repeat) {
    }

    /**
     * The executor a group's threads work for: its class, the threads' names as a pattern ({@code pool-3-thread-N}),
     * whether something live can reach it, and if so the path from what holds it ({@code heldBy}, else
     * {@code null}).
     */
    public record Pool(String executorClass, String threadNames, boolean live, Path heldBy) {
    }

    /**
     * The blocking call in the user's terms (core's {@code analysis.WaitSite} rule): {@code call} the API the
     * application called ({@code LinkedBlockingQueue.take}; the first JDK frame that is not parking machinery
     * when the stack has no application frame), {@code blockedAt} the first application frame, or {@code null}.
     */
    public record Call(String call, HeapFrame blockedAt) {
        static Call of(List<HeapFrame> stack, Wait wait) {
            return Calls.of(stack, wait);
        }
    }
}
