package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapClass;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.hprof.index.ObjectKind;

import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The executor a pool's worker thread works for, read from the dump: a {@code ThreadPoolExecutor}'s worker runs a
 * {@code ThreadPoolExecutor$Worker} (its task, {@code Thread.holder.task}, or {@code Thread.target} before JDK 19),
 * whose outer instance ({@code this$0}) is the executor; a {@code ForkJoinWorkerThread} names its {@code pool}.
 * Anything else (a thread started by hand, a virtual thread) has none. And the threads' names as one pattern.
 */
final class Pools {
    private static final String WORKER = "java.util.concurrent.ThreadPoolExecutor$Worker";
    private static final Pattern LAST_NUMBER = Pattern.compile("^(.*?)(\\d+)(\\D*)$");

    private Pools() {
    }

    /** The id of the executor the thread works for, or 0. */
    static long executorOf(HeapIndex index, WaitingThread t) {
        try {
            HeapClass c = index.classOf(t.objectId());
            if (c == null) {
                return 0;
            }
            HeapClass fjWorker = index.classByName("java.util.concurrent.ForkJoinWorkerThread");
            if (fjWorker != null && c.isSubclassOf(fjWorker) && index.hasField(c, "pool")) {
                return instance(index, index.fieldValue(t.objectId(), "pool"));
            }
            long task = 0;
            if (index.hasField(c, "holder")) {
                long holder = instance(index, index.fieldValue(t.objectId(), "holder"));
                HeapClass h = holder == 0 ? null : index.classOf(holder);
                task = h != null && index.hasField(h, "task") ? index.fieldValue(holder, "task") : 0;
            } else if (index.hasField(c, "target")) {
                task = index.fieldValue(t.objectId(), "target");
            }
            task = instance(index, task);
            HeapClass worker = index.classByName(WORKER);
            HeapClass tc = task == 0 ? null : index.classOf(task);
            if (worker != null && tc != null && tc.isSubclassOf(worker) && index.hasField(tc, "this$0")) {
                return instance(index, index.fieldValue(task, "this$0"));
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            return 0;                                         // a layout we do not know: no pool named
        }
    }

    private static long instance(HeapIndex index, long id) {
        return id != 0 && index.kindOf(id) == ObjectKind.INSTANCE ? id : 0;
    }

    /**
     * The names as one pattern, their last number as {@code N} ({@code pool-3-thread-N}) when that makes them
     * equal; {@code null} when they differ otherwise.
     */
    static String namePattern(List<WaitingThread> threads) {
        String pattern = null;
        for (WaitingThread t : threads) {
            Matcher m = LAST_NUMBER.matcher(t.name());
            String p = m.matches() ? m.group(1) + "N" + m.group(3) : t.name();
            if (pattern == null) {
                pattern = p;
            } else if (!pattern.equals(p)) {
                return null;
            }
        }
        return pattern;
    }
}
