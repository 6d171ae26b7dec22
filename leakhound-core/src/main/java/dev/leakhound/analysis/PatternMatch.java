package dev.leakhound.analysis;

import java.util.Objects;

/**
 * A group's leak pattern, how sure it is, and the evidence that named it.
 *
 * @param pattern   the pattern, {@link LeakPattern#UNCLASSIFIED} when the evidence fits none
 * @param certainty how sure: {@link Certainty#PROVEN} from a heap dump's proof, {@link Certainty#LIKELY} from a
 *                  thread dump or a live capture
 * @param evidence  what made it, in a few words: {@code 3 putters, 0 takers reachable}
 */
public record PatternMatch(LeakPattern pattern, Certainty certainty, String evidence) {

    /** How sure a pattern is. */
    public enum Certainty {
        /** Proven from a heap dump: nothing that runs can wake the threads (or the cycle cannot break). */
        PROVEN("proven"),
        /** Likely, from what a thread dump or a live capture shows. */
        LIKELY("likely");

        private final String id;

        Certainty(String id) {
            this.id = id;
        }

        /** {@code proven} or {@code likely}, as text and JSON print it. */
        public String id() {
            return id;
        }
    }

    public PatternMatch {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(certainty, "certainty");
        Objects.requireNonNull(evidence, "evidence");
    }

    /** No pattern fits; {@code evidence} says what was seen. */
    public static PatternMatch unclassified(Certainty certainty, String evidence) {
        return new PatternMatch(LeakPattern.UNCLASSIFIED, certainty, evidence);
    }

    /**
     * One line for text reports: {@code pattern: abandoned-senders (likely: 3 putters, 0 takers) - fix: give the
     * queue a buffer of N, ...}; no fix for an unclassified group.
     */
    public String text() {
        String head = "pattern: " + pattern.id() + " (" + certainty.id() + ": " + evidence + ")";
        return pattern.fix() == null ? head : head + " - fix: " + pattern.fix();
    }
}
