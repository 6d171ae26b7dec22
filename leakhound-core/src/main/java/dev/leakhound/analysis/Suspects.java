package dev.leakhound.analysis;

import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The suspects of a thread dump, quieter: of the groups blocked with no timeout, idle pool workers and the JDK's
 * own daemon threads are set apart ({@link #idle()}), and the rest are ranked by how much the dump says about a
 * leak: a pattern that matched first, then many threads at one site each on a blocker of its own, then the age
 * where the source gives it, then the number of threads.
 *
 * @param suspects the suspect groups, most telling first, each with its pattern
 * @param idle     the groups set apart: idle pools and JDK daemons, with what they are
 */
public record Suspects(List<Suspect> suspects, List<Idle> idle) {

    /**
     * One suspect group.
     *
     * @param group   the threads
     * @param pattern what kind of leak the dump says it is
     * @param score   how much the dump says about a leak (higher ranks first): 4 for a pattern that matched, 2 for
     *                two or more threads each on a blocker of its own, 1 for two or more threads
     */
    public record Suspect(StackGroup group, PatternMatch pattern, int score) {
        public Suspect {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(pattern, "pattern");
        }

        /** Whether a leak pattern matched (not unclassified). */
        public boolean matched() {
            return pattern.pattern() != LeakPattern.UNCLASSIFIED;
        }
    }

    /**
     * A group set apart from the suspects.
     *
     * @param group the threads
     * @param what  {@code idle pool} or {@code JDK daemon}
     */
    public record Idle(StackGroup group, String what) {
    }

    public Suspects {
        suspects = List.copyOf(suspects);
        idle = List.copyOf(idle);
    }

    /** The suspects of these groups (every group of a dump), without ages. */
    public static Suspects of(List<StackGroup> groups, Patterns patterns) {
        return of(groups, patterns, g -> null, t -> false);
    }

    /**
     * The suspects of these groups, ranked.
     *
     * @param age how long a group's oldest thread has been blocked, where the source says (the agent); else
     *            {@code null}
     * @param jdkThread which threads are the JDK's own (the leak check's default ignores know them by name, where a
     *            dump does not say which threads are daemons): a group of them only is set apart as JDK daemons
     */
    public static Suspects of(List<StackGroup> groups, Patterns patterns, Function<StackGroup, java.time.Duration> age,
                              java.util.function.Predicate<ThreadSnapshot> jdkThread) {
        List<Suspect> out = new ArrayList<>();
        List<Idle> idle = new ArrayList<>();
        for (StackGroup g : ThreadGrouping.suspects(groups)) {
            if (g.idlePoolWorkers()) {
                idle.add(new Idle(g, "idle pool"));
            } else if (isJdkDaemon(g) || g.complete() && g.threads().stream().allMatch(jdkThread)) {
                idle.add(new Idle(g, "JDK daemon"));
            } else {
                PatternMatch p = patterns.classify(g);
                int score = p.pattern() == LeakPattern.UNCLASSIFIED ? 0 : 4;
                if (g.count() > 1 && g.complete() && g.blockerObjects().size() == g.count()) {
                    score += 2;
                }
                if (g.count() > 1) {
                    score += 1;
                }
                out.add(new Suspect(g, p, score));
            }
        }
        Comparator<Suspect> byAge = Comparator.comparing(s -> age.apply(s.group()),
                Comparator.nullsLast(Comparator.reverseOrder()));
        out.sort(Comparator.comparingInt(Suspect::score).reversed().thenComparing(byAge)
                .thenComparing(Comparator.comparingInt((Suspect s) -> s.group().count()).reversed()));
        return new Suspects(out, idle);
    }

    /** How many suspects match a leak pattern. */
    public int matching() {
        return (int) suspects.stream().filter(Suspect::matched).count();
    }

    /** The threads of the suspects. */
    public int suspectThreads() {
        return suspects.stream().mapToInt(s -> s.group().count()).sum();
    }

    /** The threads set apart. */
    public int idleThreads() {
        return idle.stream().mapToInt(i -> i.group().count()).sum();
    }


    /** Platform daemon threads with JDK frames only: the JDK's own service threads. */
    private static boolean isJdkDaemon(StackGroup g) {
        for (StackFrame f : g.stack()) {
            if (!f.isJdk()) {
                return false;
            }
        }
        for (ThreadSnapshot t : g.threads()) {
            if (t.virtual() || !Boolean.TRUE.equals(t.daemon())) {
                return false;
            }
        }
        return !g.stack().isEmpty();
    }
}
