package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapFrame;

import java.util.List;

/**
 * A thread of a heap dump with how it waits and on what, as {@link DumpThreads} reads it: its {@code Thread} object,
 * whether it is virtual, its state in the JDK's own terms, and what it would be woken through. (Not a whole thread
 * dump, core's {@code model.ThreadDump}, nor the index's raw thread record.)
 *
 * @param objectId    the {@code Thread} object
 * @param serial      its thread serial number in the dump (frames and roots name it)
 * @param tid         its {@code Thread.tid} ({@link Thread#threadId()}), or -1 when the dump does not give it
 * @param name        its name, or {@code ""}
 * @param virtual     whether it is a virtual thread
 * @param waitKind    how it waits
 * @param blockerId   what it waits on, where the dump says: the park blocker; 0 when not known
 * @param stack       its frames, top first
 */
public record WaitingThread(long objectId, int serial, long tid, String name, boolean virtual, Wait waitKind, long blockerId,
                         List<HeapFrame> stack) {

    /** How a thread waits, as far as a proof is concerned. */
    public enum Wait {
        /** {@code LockSupport.park} with no timeout: woken by {@code unpark(thread)} or an interrupt. */
        PARKED,
        /** {@code Object.wait()} with no timeout: woken by {@code notify} on the monitor, or an interrupt. */
        WAITING,
        /** Waiting to enter a monitor: woken when its owner leaves it. */
        BLOCKED,
        /** Anything that ends by itself: running, sleeping, a timed wait. Never a candidate. */
        OTHER;

        public boolean untimed() {
            return this != OTHER;
        }
    }

    public WaitingThread {
        stack = List.copyOf(stack);
    }

    /**
     * The object id's hash: equal threads have the same id, and hashing the whole record hashed its stack, frame by
     * frame, for each thread put in a map.
     */
    @Override
    public int hashCode() {
        return Long.hashCode(objectId);
    }

    /** {@code "name"}, or {@code #tid} for an unnamed thread ({@code serial N} when the dump gives no id). */
    public String label() {
        return !name.isEmpty() ? "\"" + name + "\"" : tid >= 0 ? "#" + tid : "serial " + serial;
    }
}
