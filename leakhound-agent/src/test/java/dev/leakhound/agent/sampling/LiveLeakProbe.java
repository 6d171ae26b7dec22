package dev.leakhound.agent.sampling;

import dev.leakhound.agent.Agent;
import dev.leakhound.agent.LeakhoundAgent;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A host JVM for {@link LiveDetectionTest}, driven line by line on its standard input: {@code leak N} starts N virtual
 * threads that block for ever at one line, waits until all of them are blocked there and takes one sample of the
 * agent; {@code sample} takes a sample; {@code end} lets every leaked thread end and takes a sample; {@code quit}. It
 * answers each with {@code sampled S} (S the detector's samples so far). Its agent samples once at start, then only
 * when told ({@code sampleMillis} of an hour), so that the test counts samples, not seconds.
 *
 * <p>{@code attach} as first argument: 26 threads leak before the agent is loaded ({@link Agent#agentmain}, as
 * {@code leakhound attach} does), so that no start is recorded for them.
 */
public final class LiveLeakProbe {
    private static volatile Instrumentation inst;
    private static final List<Thread> leaked = new ArrayList<>();
    private static final List<CountDownLatch> never = new ArrayList<>();

    private LiveLeakProbe() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        inst = instrumentation;
    }

    public static void main(String[] args) throws Exception {
        String options = "port=0,sampleMillis=3600000";
        if (args.length > 0 && args[0].equals("attach")) {
            leak(26);
            Agent.agentmain(options, inst);
        } else {
            Agent.premain(options, inst);
        }
        LeakhoundAgent agent = LeakhoundAgent.running();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (agent.detector().samples() < 1 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));   // the scheduled first sample, at start
        }
        System.out.println("url " + agent.url());
        System.out.println("sampled " + agent.detector().samples());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("leak ")) {
                leak(Integer.parseInt(line.substring(5).trim()));
            } else if (line.equals("end")) {
                never.forEach(CountDownLatch::countDown);
                for (Thread t : leaked) {
                    t.join();
                }
            } else if (line.equals("quit")) {
                break;
            }
            agent.sample();
            System.out.println("sampled " + agent.detector().samples());
        }
        never.forEach(CountDownLatch::countDown);
        agent.close();
    }

    /** N virtual threads blocked with no timeout at one line, each on a latch nobody counts down. */
    private static void leak(int n) {
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CountDownLatch latch = new CountDownLatch(1);
            never.add(latch);
            started.add(Thread.ofVirtual().name("leaked").start(() -> awaitForever(latch)));
        }
        for (Thread t : started) {
            while (t.getState() != Thread.State.WAITING) {                // blocked where the leak blocks
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        leaked.addAll(started);
    }

    private static void awaitForever(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
