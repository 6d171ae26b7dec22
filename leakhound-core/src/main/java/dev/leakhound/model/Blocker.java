package dev.leakhound.model;

import java.util.Objects;

/**
 * What a thread is blocked on: the object it is parked on, the monitor it waits on in
 * {@code Object.wait()}, or the monitor it is trying to enter.
 *
 * @param kind      how it is blocked
 * @param className class of the object, e.g. {@code java.util.concurrent.SynchronousQueue$Transferer}
 * @param identity  the object's identity as the source printed it: an identity hash in hex from the
 *                  JDK's thread dumps ({@code 1bd4fdd}) or an address from {@code jstack}
 *                  ({@code 0x000000062a4a0d88}); {@code null} when not given. Identities from
 *                  different sources cannot be compared.
 * @param ownerId   id of the thread that owns the lock, when the source says (later JDKs add it
 *                  to {@code parkBlocker}); otherwise {@code null}
 */
public record Blocker(Kind kind, String className, String identity, Long ownerId) {

    public enum Kind {
        /** Parked by {@code LockSupport.park} with a blocker object (queues, latches, locks, futures). */
        PARKED_ON("parked on"),
        /** In {@code Object.wait()} on a monitor. */
        WAITING_ON("waiting on"),
        /** Waiting to enter a {@code synchronized} block or method. */
        ENTERING("waiting to lock");

        private final String words;

        Kind(String words) {
            this.words = words;
        }

        /** Plain words for reports: "parked on", "waiting on", "waiting to lock". */
        public String words() {
            return words;
        }
    }

    public Blocker {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(className, "className");
    }

    /**
     * Parses the JDK's {@code Class@hash} object text (JSON and text thread dumps).
     * Text without {@code @} is taken as a class name with no identity.
     */
    public static Blocker parse(Kind kind, String objectText, Long ownerId) {
        String s = objectText.strip();
        int at = s.lastIndexOf('@');
        if (at > 0 && at < s.length() - 1) {
            return new Blocker(kind, s.substring(0, at), s.substring(at + 1), ownerId);
        }
        return new Blocker(kind, s, null, ownerId);
    }

    /** {@code SynchronousQueue$Transferer}. */
    public String simpleClassName() {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** {@code java.util.concurrent.SynchronousQueue$Transferer@1bd4fdd}. */
    public String objectText() {
        return identity == null ? className : className + "@" + identity;
    }

    @Override
    public String toString() {
        return kind.words() + " " + objectText();
    }
}
