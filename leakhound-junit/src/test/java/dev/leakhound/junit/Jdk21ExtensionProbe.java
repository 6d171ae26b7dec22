package dev.leakhound.junit;

import dev.leakhound.junit.fixtures.FixtureThreads;
import dev.leakhound.junit.fixtures.LeakingVirtualThreadCase;
import org.junit.platform.engine.TestExecutionResult;

import java.util.Map;

/**
 * The child JVM of {@link Jdk21ExtensionTest}, run by a real JDK 21: the real extension checks
 * {@link LeakingVirtualThreadCase} leaking a virtual thread, then not; it prints the runtime, each test's result
 * and failure message, the thread's id and the line it blocks on, ends the fixture's threads and prints "done".
 */
public final class Jdk21ExtensionProbe {
    private Jdk21ExtensionProbe() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("runtime " + Runtime.version());
        for (boolean leak : new boolean[] {true, false}) {
            LeakingVirtualThreadCase.leak = leak;
            for (Map.Entry<String, TestExecutionResult> e
                    : TestKit.results(TestKit.run(LeakingVirtualThreadCase.class).testEvents()).entrySet()) {
                TestExecutionResult r = e.getValue();
                System.out.println("result leak=" + leak + " " + e.getKey() + " " + r.getStatus());
                r.getThrowable().ifPresent(t -> System.out.println("failure " + t.getClass().getName() + ": "
                        + t.getMessage()));
            }
            if (leak) {
                System.out.println("leaked #" + LeakingVirtualThreadCase.putter.threadId() + " at line "
                        + LeakingVirtualThreadCase.blockedLine);
            }
            FixtureThreads.releaseAndJoinAll();
        }
        System.out.println("done");
    }
}
