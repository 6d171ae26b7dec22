package dev.leakhound.agent;

import dev.leakhound.testing.DeadlockProgram;
import dev.leakhound.testing.Http;

import java.lang.instrument.Instrumentation;
import java.net.URI;

/**
 * A child JVM with the real agent (its {@code premain} with this JVM's {@link Instrumentation}) and deadlocks of
 * every kind: monitors and ReentrantLocks, platform and virtual threads, a ring of three, and a look-alike. Prints
 * what the agent's pages say of them, fetched over HTTP from its server, each between {@code --- PATH} and
 * {@code --- end}, then exits. With the argument {@code before}, prints the pages before any deadlock too.
 */
public final class DeadlockAgentProbe {
    private static final String[] PAGES = {"/debug/threads/dump", "/debug/threads/dump?format=json",
        "/debug/threads/dump?debug=2", "/debug/leaks", "/debug/leaks?format=json", "/metrics"};

    private DeadlockAgentProbe() {
    }

    public static void premain(String args, Instrumentation inst) {
        Agent.premain("port=0,sampleMillis=200,window=3", inst);
    }

    public static void main(String[] args) throws Exception {
        URI url = LeakhoundAgent.running().url();
        print(url, "before-");
        DeadlockProgram.start("sync", Thread.ofPlatform().daemon(), "ps");
        DeadlockProgram.start("sync", Thread.ofVirtual(), "vs");
        DeadlockProgram.start("lock", Thread.ofPlatform().daemon(), "pl");
        DeadlockProgram.start("lock", Thread.ofVirtual(), "vl");
        DeadlockProgram.start("sync3", Thread.ofVirtual(), "vr");
        DeadlockProgram.start("lookalike", Thread.ofVirtual(), "vla");
        DeadlockProgram.start("lookalike", Thread.ofPlatform().daemon(), "pla");
        // the agent shares an answer for a second: wait (up to 2 minutes) for one taken after the deadlocks
        long until = System.nanoTime() + 120_000_000_000L;
        while (!Http.get(url, "/metrics").text().contains("leakhound_deadlocked_threads 11.0")
                && System.nanoTime() < until) {
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
        print(url, "");
        System.out.flush();
        System.exit(0);
    }

    private static void print(URI url, String prefix) throws Exception {
        for (String page : PAGES) {
            Http.Result r = Http.get(url, page);
            System.out.println("--- " + prefix + page + " " + r.status() + "\n" + r.text() + "\n--- end");
        }
    }
}
