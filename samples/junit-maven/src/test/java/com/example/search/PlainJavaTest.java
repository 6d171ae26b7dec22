package com.example.search;

import dev.leakhound.LeakOptions;
import dev.leakhound.Leakhound;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** The check without the extension: Leakhound.verifyNone, as in any Java code (a main method, another test framework). */
class PlainJavaTest {

    @Test
    void fixedLeavesNoThread() throws InterruptedException {
        LeakOptions before = LeakOptions.builder().ignoreCurrent().build();  // the threads alive now are not leaks
        FirstAnswer.fixed(Replicas.three(), "jvm");
        Leakhound.verifyNone(before);  // throws LeakedThreadsError, whose message is the report
    }

    /** FAILS with LeakedThreadsError (mvn test -Pleaks). */
    @Test
    @EnabledIfSystemProperty(named = "leakhound.sample.leaks", matches = "true")
    void leakyLeavesThreads() throws InterruptedException {
        LeakOptions before = LeakOptions.builder().ignoreCurrent().build();
        FirstAnswer.leaky(Replicas.three(), "jvm");
        Leakhound.verifyNone(before);
    }
}
