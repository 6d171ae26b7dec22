package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapClass;
import dev.leakhound.hprof.index.HeapFrame;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.hprof.index.ObjectKind;
import dev.leakhound.hprof.index.ThreadRecord;
import dev.leakhound.proof.WaitingThread.Wait;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the threads of a heap dump as {@link WaitingThread}s: one per ROOT_THREAD_OBJ record whose object is a
 * {@code Thread}. Public also for hprof's {@code DanglingIdTest}, which reads a corrupt dump's threads with it.
 *
 * <p>States. A platform thread's is {@code Thread.holder.threadStatus}, JVMTI's bit set: {@code BLOCKED_ON_MONITOR_ENTER}
 * is {@link Wait#BLOCKED}, {@code WAITING_INDEFINITELY} with {@code PARKED} is {@link Wait#PARKED}, with
 * {@code IN_OBJECT_WAIT} {@link Wait#WAITING}; anything else (timed, sleeping, running) is {@link Wait#OTHER}. A
 * virtual thread's is {@code VirtualThread.state} without its {@code SUSPENDED} bit, compared with the constants the
 * dump itself holds as static fields of {@code java.lang.VirtualThread} (their values differ between JDK versions):
 * {@code PARKED} and {@code PINNED} are parked, {@code WAIT} is {@code Object.wait()}, {@code BLOCKING} and
 * {@code BLOCKED} wait for a monitor; the {@code TIMED_} ones and the rest are not candidates. A thread that will
 * run although its state says it waits is not one either: an interrupt pending ({@code interrupted}), or for a
 * virtual thread a park permit, a monitor granted or queued for, a notification ({@code parkPermit},
 * {@code blockPermit}, {@code onWaitingList}, {@code notified}). A thread whose fields do not read as expected is
 * not a candidate.
 */
public final class DumpThreads {
    private static final int JVMTI_ALIVE = 0x1;
    private static final int JVMTI_TERMINATED = 0x2;
    private static final int JVMTI_WAITING_INDEFINITELY = 0x10;
    private static final int JVMTI_IN_OBJECT_WAIT = 0x100;
    private static final int JVMTI_PARKED = 0x200;
    private static final int JVMTI_BLOCKED_ON_MONITOR_ENTER = 0x400;
    private static final int MAX_NAME = 200;
    /** Frames kept per thread: a hostile dump could give every thread one stack of a million frames. */
    static final int MAX_FRAMES = 1024;

    private DumpThreads() {
    }

    /** Every thread of the dump, in the order of its ROOT_THREAD_OBJ records. */
    public static List<WaitingThread> read(HeapIndex index) throws IOException {
        HeapClass thread = index.classByName("java.lang.Thread");
        HeapClass vthread = index.classByName("java.lang.VirtualThread");
        if (thread == null) {
            return List.of();
        }
        Map<Integer, Wait> virtualStates = virtualStates(vthread);
        long suspended = vthread == null ? 0 : staticOr(vthread, "SUSPENDED", 0);
        // One list per distinct stack (a HotSpot dump gives each thread a stack trace of its own, even when equal)
        Map<SameFrames, List<HeapFrame>> stacks = new HashMap<>();
        List<WaitingThread> out = new ArrayList<>();
        for (ThreadRecord t : index.threads()) {
            HeapClass c = index.classOf(t.objectId());
            if (c == null || !c.isSubclassOf(thread) || index.kindOf(t.objectId()) != ObjectKind.INSTANCE) {
                continue;
            }
            boolean virtual = vthread != null && c.isSubclassOf(vthread);
            Wait wait;
            try {
                if (virtual) {
                    int state = (int) index.fieldValue(t.objectId(), "state");
                    wait = virtualStates.getOrDefault((int) (state & ~suspended), Wait.OTHER);
                    wait = aboutToRun(index, c, t.objectId(), wait) ? Wait.OTHER : wait;
                } else {
                    wait = platformWait(index, c, t.objectId());
                }
                if (wait.untimed() && flag(index, c, t.objectId(), "interrupted")) {
                    wait = Wait.OTHER;                        // an interrupt is pending: it wakes
                }
            } catch (RuntimeException e) {
                wait = Wait.OTHER;                            // a layout we do not know: never a candidate
            }
            long blocker = index.hasField(c, "parkBlocker") ? index.fieldValue(t.objectId(), "parkBlocker") : 0;
            String name = "";
            long nameId = index.hasField(c, "name") ? index.fieldValue(t.objectId(), "name") : 0;
            if (nameId != 0) {
                String s = index.readString(nameId, MAX_NAME);
                name = s == null ? "" : s;
            }
            List<HeapFrame> all = index.stack(t);
            List<HeapFrame> stack = List.copyOf(all.subList(0, Math.min(MAX_FRAMES, all.size())));
            List<HeapFrame> same = stacks.putIfAbsent(new SameFrames(stack), stack);
            stack = same != null ? same : stack;
            long tid = -1;
            try {
                tid = index.hasField(c, "tid") ? index.fieldValue(t.objectId(), "tid") : -1;
            } catch (RuntimeException e) {
                tid = -1;                                     // a layout we do not know: no id given
            }
            out.add(new WaitingThread(t.objectId(), t.threadSerial(), tid, name, virtual, wait, blocker, stack));
        }
        return out;
    }

    /**
     * A stack compared by its frames' identities: equal frames are one object ({@link HeapIndex#stackTrace}), so
     * this is their equality, without hashing each frame's names for each of 100k threads.
     */
    private record SameFrames(List<HeapFrame> frames) {
        @Override
        public boolean equals(Object o) {
            if (!(o instanceof SameFrames other) || other.frames.size() != frames.size()) {
                return false;
            }
            for (int i = 0; i < frames.size(); i++) {
                if (frames.get(i) != other.frames.get(i)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            int h = 1;
            for (HeapFrame f : frames) {
                h = 31 * h + System.identityHashCode(f);
            }
            return h;
        }
    }

    /**
     * Whether the {@code Thread} object is of a thread that has ended, by its own state: a platform thread's
     * {@code holder.threadStatus} is JVMTI's {@code TERMINATED}, a virtual thread's {@code state} its class's
     * {@code TERMINATED}. False when the dump does not say.
     */
    static boolean ended(HeapIndex index, long threadId) {
        try {
            HeapClass c = index.classOf(threadId);
            HeapClass vthread = index.classByName("java.lang.VirtualThread");
            if (c == null || index.kindOf(threadId) != ObjectKind.INSTANCE) {
                return false;
            }
            if (vthread != null && c.isSubclassOf(vthread)) {
                long terminated = staticOr(vthread, "TERMINATED", Long.MIN_VALUE);
                long suspended = staticOr(vthread, "SUSPENDED", 0);
                return terminated != Long.MIN_VALUE && (index.fieldValue(threadId, "state") & ~suspended) == terminated;
            }
            if (index.hasField(c, "holder")) {
                long holder = index.fieldValue(threadId, "holder");
                return holder != 0 && index.kindOf(holder) == ObjectKind.INSTANCE
                        && index.fieldValue(holder, "threadStatus") == JVMTI_TERMINATED;
            }
            return index.hasField(c, "threadStatus") && index.fieldValue(threadId, "threadStatus") == JVMTI_TERMINATED;
        } catch (IOException | RuntimeException e) {
            return false;                                     // a layout we do not know: not known to have ended
        }
    }

    /**
     * A virtual thread whose state says it waits but that will run: unparked already ({@code parkPermit}), given
     * the monitor or queued to get it ({@code blockPermit}, {@code onWaitingList}), notified ({@code notified}).
     */
    private static boolean aboutToRun(HeapIndex index, HeapClass c, long id, Wait wait) throws IOException {
        return switch (wait) {
            case PARKED -> flag(index, c, id, "parkPermit");
            case BLOCKED -> flag(index, c, id, "blockPermit") || flag(index, c, id, "onWaitingList");
            case WAITING -> flag(index, c, id, "notified") || flag(index, c, id, "blockPermit")
                    || flag(index, c, id, "onWaitingList");
            case OTHER -> false;
        };
    }

    private static boolean flag(HeapIndex index, HeapClass c, long id, String field) throws IOException {
        return index.hasField(c, field) && index.fieldValue(id, field) != 0;
    }

    private static Wait platformWait(HeapIndex index, HeapClass c, long threadId) throws IOException {
        int status;
        if (index.hasField(c, "holder")) {
            long holder = index.fieldValue(threadId, "holder");
            if (holder == 0 || index.kindOf(holder) != ObjectKind.INSTANCE) {
                return Wait.OTHER;
            }
            status = (int) index.fieldValue(holder, "threadStatus");
        } else if (index.hasField(c, "threadStatus")) {
            status = (int) index.fieldValue(threadId, "threadStatus");      // JDK 18 and older
        } else {
            return Wait.OTHER;
        }
        if ((status & JVMTI_ALIVE) == 0) {
            return Wait.OTHER;
        }
        if ((status & JVMTI_BLOCKED_ON_MONITOR_ENTER) != 0) {
            return Wait.BLOCKED;
        }
        if ((status & JVMTI_WAITING_INDEFINITELY) != 0) {
            if ((status & JVMTI_PARKED) != 0) {
                return Wait.PARKED;
            }
            if ((status & JVMTI_IN_OBJECT_WAIT) != 0) {
                return Wait.WAITING;
            }
        }
        return Wait.OTHER;
    }

    /** The untimed states of this JDK's {@code VirtualThread}, from the dump's own constants. */
    private static Map<Integer, Wait> virtualStates(HeapClass vthread) {
        Map<Integer, Wait> m = new HashMap<>();
        if (vthread == null) {
            return m;
        }
        put(m, vthread, "PARKED", Wait.PARKED);
        put(m, vthread, "PINNED", Wait.PARKED);
        put(m, vthread, "WAIT", Wait.WAITING);
        put(m, vthread, "BLOCKING", Wait.BLOCKED);
        put(m, vthread, "BLOCKED", Wait.BLOCKED);
        return m;
    }

    private static void put(Map<Integer, Wait> m, HeapClass c, String constant, Wait wait) {
        long v = staticOr(c, constant, Long.MIN_VALUE);
        if (v != Long.MIN_VALUE) {
            m.put((int) v, wait);
        }
    }

    private static long staticOr(HeapClass c, String name, long otherwise) {
        return c.staticFieldNames().contains(name) ? c.staticValue(name) : otherwise;
    }
}
