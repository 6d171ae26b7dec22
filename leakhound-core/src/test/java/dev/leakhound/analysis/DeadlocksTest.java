package dev.leakhound.analysis;

import dev.leakhound.capture.ThreadDumpReader;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.Deadlock;
import dev.leakhound.model.HeldMonitor;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deadlock finder on the real jstack fixture with a deadlock, and on lock facts a dump of a later JDK gives
 * ({@code parkBlocker.owner}). The child-JVM programs of every kind are in the CLI's {@code
 * ThreadsDeadlockProgramsTest}, the live ones in the JUnit and agent tests.
 */
class DeadlocksTest {

    private static ThreadDump fixture(String name) throws Exception {
        try {
            return ThreadDumpReader.read(Path.of(DeadlocksTest.class.getResource("/dumps/" + name).toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JDK 17 {@code jstack -l} fixture: the cycle is found from the lock lines and is the one the JVM printed. */
    @Test
    void theJstackFixtureDeadlockIsFoundOnceWithItsLinesAndIds() throws Exception {
        ThreadDump dump = fixture("jdk17-jstack-l-deadlock.txt");
        List<Deadlock> found = Deadlocks.find(dump.threads(), dump.deadlocks());

        assertThat(found).hasSize(1);
        Deadlock d = found.get(0);
        assertThat(d.printedByJvm()).isTrue();
        assertThat(d.links()).extracting(Deadlock.Link::name).containsExactlyInAnyOrder("dead-1", "dead-2");
        assertThat(d.links()).allSatisfy(l -> {
            assertThat(l.tid()).isNotNull();
            assertThat(l.wantsAt().className()).isEqualTo("Sample17");
            assertThat(l.heldAt().className()).isEqualTo("Sample17");
        });
        assertThat(d.links().get(0).wants()).isEqualTo(d.links().get(1).holds());
        assertThat(d.links().get(1).wants()).isEqualTo(d.links().get(0).holds());
        assertThat(Deadlocks.pattern(d).text()).isEqualTo("pattern: deadlock (likely: 2 threads, each holding a monitor"
                + " the next wants; the JVM reported it too) - fix: take the locks in one order, or tryLock with a timeout");
        // the fixture's "rl" waits for a ReentrantLock main holds (main sleeps): no cycle
        assertThat(found.get(0).links()).extracting(Deadlock.Link::name).doesNotContain("rl", "main");
    }

    /** Virtual threads parked on ReentrantLocks, owners given (a later JDK's JSON, or the live capture). */
    @Test
    void ownersOfJavaUtilConcurrentLocksCloseACycle() {
        String lockA = "java.util.concurrent.locks.ReentrantLock$NonfairSync@a";
        String lockB = "java.util.concurrent.locks.ReentrantLock$NonfairSync@b";
        Deadlocks finder = new Deadlocks();
        finder.accept(parked(31, lockA, 32L));
        finder.accept(parked(32, lockB, 31L));
        finder.accept(parked(33, lockA, 32L));          // waits too, but is in no cycle
        List<Deadlock> found = finder.found();

        assertThat(found).hasSize(1);
        assertThat(found.get(0).links()).extracting(Deadlock.Link::tid).containsExactly(31L, 32L);
        assertThat(found.get(0).links().get(0).holds()).isEqualTo(lockB);
        assertThat(found.get(0).links().get(0).wants()).isEqualTo(lockA);
        assertThat(found.get(0).links().get(0).heldAt()).isNull();    // a j.u.c lock belongs to no frame
        assertThat(found.get(0).links().get(0).wantsAt()).isEqualTo(StackFrame.parse("app.Transfer.run(Transfer.java:7)"));
        assertThat(found.get(0).anyVirtual()).isTrue();
    }

    /** A wait with a timeout, or in Object.wait, is no link of a cycle. */
    @Test
    void timedWaitsAndObjectWaitsMakeNoCycle() {
        Deadlocks finder = new Deadlocks();
        finder.accept(new ThreadSnapshot(1, "a", false, false, Thread.State.TIMED_WAITING, stack(),
                new Blocker(Blocker.Kind.PARKED_ON, "L", "1", 2L), List.of(new HeldMonitor(-1, "L", "2", true)),
                null, null, null));
        finder.accept(new ThreadSnapshot(2, "b", false, false, Thread.State.WAITING, stack(),
                new Blocker(Blocker.Kind.PARKED_ON, "L", "2", 1L), List.of(new HeldMonitor(-1, "L", "1", true)),
                null, null, null));
        finder.accept(new ThreadSnapshot(3, "c", false, false, Thread.State.WAITING, stack(),
                new Blocker(Blocker.Kind.WAITING_ON, "java.lang.Object", "3", null),
                List.of(new HeldMonitor(0, "java.lang.Object", "4")), null, null, null));
        finder.accept(new ThreadSnapshot(4, "d", false, false, Thread.State.BLOCKED, stack(),
                new Blocker(Blocker.Kind.ENTERING, "java.lang.Object", "4", null),
                List.of(new HeldMonitor(0, "java.lang.Object", "3")), null, null, null));
        assertThat(finder.found()).isEmpty();
    }

    private static ThreadSnapshot parked(long tid, String lock, Long owner) {
        return new ThreadSnapshot(tid, "", true, true, Thread.State.WAITING, stack(),
                Blocker.parse(Blocker.Kind.PARKED_ON, lock, owner), List.of(), null, null, null);
    }

    private static List<StackFrame> stack() {
        return List.of(StackFrame.parse("java.base/java.util.concurrent.locks.LockSupport.park(LockSupport.java:221)"),
                StackFrame.parse("app.Transfer.run(Transfer.java:7)"));
    }
}
