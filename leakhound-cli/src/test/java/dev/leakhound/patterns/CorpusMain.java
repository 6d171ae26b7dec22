package dev.leakhound.patterns;

import dev.leakhound.testing.ThreadsAt;

/**
 * The child JVM of {@link PatternCorpusTest}: starts every scenario of {@link Corpus#ALL}, one after the other,
 * waits until each one's threads are exactly where it says (state and frame, read here), prints
 * {@code blocked ID} for each and then {@code ready N}, and waits to be dumped and killed, reading its standard
 * input (a running thread, so no suspect): it exits by itself when the input closes, should the test's JVM end
 * without killing it. Nothing here keeps a reference to a scenario's threads or objects once it is blocked.
 */
public final class CorpusMain {
    private CorpusMain() {
    }

    public static void main(String[] args) throws Exception {
        for (Scenario s : Corpus.ALL) {
            startAndAwait(s);
        }
        System.out.println("ready " + Corpus.ALL.size());
        System.out.flush();
        while (System.in.read() >= 0) {
            Thread.onSpinWait();
        }
        System.exit(0);
    }

    private static void startAndAwait(Scenario s) throws Exception {
        Probe probe = new Probe(s.threadPrefix());
        s.start().start(probe);
        ThreadsAt.await(() -> s.reached(probe.threads()),
                () -> s.id() + " not where it blocks " + s.blocked() + ":" + ThreadsAt.describe(probe.threads()));
        probe.forget();
        System.out.println("blocked " + s.id());
        System.out.flush();
    }
}
