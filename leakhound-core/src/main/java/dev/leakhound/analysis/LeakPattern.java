package dev.leakhound.analysis;

/**
 * What kind of leak a group of blocked threads is, from the evidence, with the fix in one line: the fixed
 * vocabulary every report uses (the same {@link #id()} in text and JSON). {@link #UNCLASSIFIED} where the evidence
 * fits no pattern: a report says so rather than guess.
 */
public enum LeakPattern {
    /** Threads blocked putting into a queue or channel whose receiver returned (the article's multiQuery). */
    ABANDONED_SENDERS("abandoned-senders",
            "threads blocked putting into a queue whose receiver is gone",
            "give the queue a buffer of N, or cancel the other tasks once one answers (structured concurrency,"
                    + " Future.cancel)"),
    /** Threads blocked taking from a queue nobody will feed. */
    ABANDONED_RECEIVER("abandoned-receiver",
            "threads blocked taking from a queue nobody will feed",
            "close the queue (a poison pill), or take with a timeout"),
    /** The caller waited with a timeout and left; the task still blocks. */
    ABANDONED_AFTER_TIMEOUT("abandoned-after-timeout",
            "the caller waited with a timeout and left; the task still blocks",
            "cancel the task when the wait times out"),
    /** Waiting on a future nobody will complete. */
    LOST_FUTURE("lost-future",
            "threads waiting on a future nobody will complete",
            "complete the future on every path, or wait with a timeout and cancel"),
    /** Awaiting a latch, barrier or phaser whose count cannot reach zero. */
    LATCH_NEVER_RELEASED("latch-never-released",
            "threads awaiting a latch, barrier or phaser whose count cannot reach zero",
            "count down in finally"),
    /** Waiting for a lock whose holder ended or will never release it. */
    LOCK_NEVER_RELEASED("lock-never-released",
            "threads waiting for a lock whose holder ended or will never release it",
            "unlock in finally"),
    /** {@code Object.wait} or {@code Condition.await} with nobody left to notify. */
    ORPHAN_WAIT("orphan-wait",
            "threads in Object.wait or Condition.await with nobody left to notify",
            "signal on every path, or wait with a timeout"),
    /** Idle workers of a pool nobody can reach or shut down. */
    FORGOTTEN_POOL("forgotten-pool",
            "idle workers of a pool nobody can reach or shut down",
            "shut the pool down (try-with-resources on ExecutorService)"),
    /** A cycle of threads each holding what the next wants. */
    DEADLOCK("deadlock",
            "a cycle of threads each holding what the next wants",
            "take the locks in one order, or tryLock with a timeout"),
    /** The evidence fits no pattern. */
    UNCLASSIFIED("unclassified",
            "the evidence fits no known pattern",
            null);

    private final String id;
    private final String shows;
    private final String fix;

    LeakPattern(String id, String shows, String fix) {
        this.id = id;
        this.shows = shows;
        this.fix = fix;
    }

    /** The id reports print, in text and JSON: {@code abandoned-senders}. */
    public String id() {
        return id;
    }

    /** What the evidence of this pattern shows, in plain words. */
    public String shows() {
        return shows;
    }

    /** The fix, in one line; {@code null} for {@link #UNCLASSIFIED}. */
    public String fix() {
        return fix;
    }

    /** The pattern with this id, or {@code null}. */
    public static LeakPattern byId(String id) {
        for (LeakPattern p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        return null;
    }
}
