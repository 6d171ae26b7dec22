package dev.leakhound;

import dev.leakhound.analysis.WaitSite;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The threads alive at one moment, with their stacks: what goleak's {@code IgnoreCurrent} ignores.
 *
 * <p>A thread of the baseline is not a leak, with one exception: a pooled thread (a common-pool or
 * executor worker that already existed) that is now blocked with no timeout in application code it
 * was not running before. That is how most leaks look in a JVM that reuses threads: a task submitted
 * by the code under test, stuck on a worker that was started long before.
 */
public final class Baseline {
    private final Map<Long, List<StackFrame>> stacks;

    private Baseline(Map<Long, List<StackFrame>> stacks) {
        this.stacks = Map.copyOf(stacks);
    }

    /** The live threads now (one capture). */
    public static Baseline capture() {
        return of(LiveThreads.capture());
    }

    /** The threads of a dump. */
    public static Baseline of(ThreadDump dump) {
        Map<Long, List<StackFrame>> stacks = new HashMap<>();
        for (ThreadSnapshot t : dump.threads()) {
            stacks.put(t.id(), t.stack());
        }
        return new Baseline(stacks);
    }

    /** The ids of the threads. */
    public Set<Long> threadIds() {
        return stacks.keySet();
    }

    public boolean isEmpty() {
        return stacks.isEmpty();
    }

    /** Whether the baseline covers this thread as it is now (see the class comment for the exception). */
    public boolean covers(ThreadSnapshot now) {
        List<StackFrame> before = stacks.get(now.id());
        if (before == null) {
            return false;
        }
        return !(WaitSite.isBlockedWithoutTimeout(now) && hasApplicationFrame(now.stack()) && !before.equals(now.stack()));
    }

    private static boolean hasApplicationFrame(List<StackFrame> stack) {
        for (StackFrame f : stack) {
            if (!f.isJdk()) {
                return true;
            }
        }
        return false;
    }

    /** This baseline and the other's threads together; where both have a thread, this one's stack wins. */
    public Baseline plus(Baseline other) {
        Map<Long, List<StackFrame>> all = new HashMap<>(other.stacks);
        all.putAll(stacks);
        return new Baseline(all);
    }
}
