package dev.leakhound.patterns;

import dev.leakhound.testing.ThreadsAt;

import java.util.List;

/**
 * One program of the corpus: it starts threads that end up blocked the way one leak pattern (or a look-alike
 * {@link #CONTROL}) leaves them. Its code lives in {@link #owner()}, a class of its own, so that the frames of its
 * threads name it; threads it creates itself are named {@link #threadPrefix()}{@code N}.
 *
 * @param id       short name, unique in the corpus
 * @param expected the {@code LeakPattern} id the evidence shows, or {@link #CONTROL} for a look-alike that is no leak
 * @param owner    the class whose frames mark the scenario's threads
 * @param kind     the threads and primitives it uses, for the table
 * @param why      why it is (or is not) that pattern, in a sentence
 * @param start    starts the threads and returns, keeping no reference to what they block on
 * @param blocked  where its threads must be before the dumps: state, frame, how many
 * @param ended    how many of the threads that {@link Probe#arrive arrived} end on their own (the winners)
 */
record Scenario(String id, String expected, Class<?> owner, String kind, String why, Start start, List<At> blocked,
                int ended) {

    /** {@link #expected()} of a look-alike: blocked threads that are no leak. */
    static final String CONTROL = "control";

    /** Starts a scenario's threads. */
    interface Start {
        void start(Probe probe) throws Exception;
    }

    /** {@code count} threads in {@code state} with {@code frame} ({@code class.method}) on their stack. */
    record At(Thread.State state, String frame, int count) {
    }

    static At at(Thread.State state, String frame, int count) {
        return new At(state, frame, count);
    }

    @Override
    public String toString() {
        return id;
    }

    boolean control() {
        return CONTROL.equals(expected);
    }

    /** The name prefix of the threads the scenario names itself. */
    String threadPrefix() {
        return "pc-" + id + "-";
    }

    /** Whether every thread that arrived is where it must be: each {@link At} exactly, {@link #ended} ended. */
    boolean reached(List<Thread> arrived) {
        int total = ended;
        for (At a : blocked) {
            total += a.count();
        }
        if (arrived.size() != total) {
            return false;
        }
        for (At a : blocked) {
            if (arrived.stream().filter(t -> ThreadsAt.at(t, a.state(), a.frame())).count() != a.count()) {
                return false;
            }
        }
        return arrived.stream().filter(t -> t.getState() == Thread.State.TERMINATED).count() == ended;
    }

    /** Whether a frame's class ({@code a.b.Outer$Inner}, or a class nested in it) is this scenario's. */
    boolean owns(String frameClass) {
        String name = owner.getName();
        return frameClass.equals(name) || frameClass.startsWith(name + "$");
    }
}
