package dev.leakhound;

import dev.leakhound.model.ThreadSnapshot;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * A named rule for threads the leak check must not report.
 *
 * @param description what the rule ignores, in plain words (shown in docs and debug output)
 * @param matches     true for a thread to ignore
 */
public record IgnoreRule(String description, Predicate<ThreadSnapshot> matches) implements Predicate<ThreadSnapshot> {
    public IgnoreRule {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(matches, "matches");
    }

    @Override
    public boolean test(ThreadSnapshot t) {
        return matches.test(t);
    }

    @Override
    public String toString() {
        return description;
    }
}
