package dev.leakhound.agent.capture;

import dev.leakhound.capture.ExclusiveOwner;
import dev.leakhound.capture.LiveThreads;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandle;
import java.util.concurrent.locks.AbstractOwnableSynchronizer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the locks are open (as the agent opens them), the one getter of a lock's owner, shared by core's lock owners
 * and the live deadlock search, reads the owner.
 */
class ExclusiveOwnerExportedTest {
    /** A lock whose synchronizer the getter can be given: {@code ReentrantLock}'s is private, so this one's is ours. */
    private static final class Owned extends AbstractOwnableSynchronizer {
        void own(Thread t) {
            setExclusiveOwnerThread(t);
        }
    }

    @Test
    void theGetterReadsTheOwnerOnceTheLocksAreOpen() throws Throwable {
        MethodHandle getter = ExclusiveOwner.getter();
        assertThat(getter).isNotNull();
        assertThat(ExclusiveOwner.getter()).as("looked up once").isSameAs(getter);
        assertThat(LiveThreads.virtualLockOwnersKnown()).isTrue();
        Owned lock = new Owned();
        assertThat((Thread) getter.invokeExact((AbstractOwnableSynchronizer) lock)).isNull();
        lock.own(Thread.currentThread());
        assertThat((Thread) getter.invokeExact((AbstractOwnableSynchronizer) lock)).isSameAs(Thread.currentThread());
    }
}
