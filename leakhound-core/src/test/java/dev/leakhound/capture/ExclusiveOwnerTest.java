package dev.leakhound.capture;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Where {@code java.util.concurrent.locks} is not open (core's tests), there is no getter, and no lock owners. */
class ExclusiveOwnerTest {
    @Test
    void noGetterWhereTheLocksAreNotOpen() {
        assertThat(Object.class.getModule().isOpen(ExclusiveOwner.PACKAGE, ExclusiveOwner.class.getModule()))
                .as("core's tests run without --add-opens").isFalse();
        assertThat(ExclusiveOwner.getter()).isNull();
        assertThat(LockOwners.available()).isFalse();
        assertThat(LockOwners.ofParkedThreads()).isEmpty();
    }
}
