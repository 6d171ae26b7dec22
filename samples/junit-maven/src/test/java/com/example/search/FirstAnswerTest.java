package com.example.search;

import dev.leakhound.junit.CheckThreadLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each test fails if a thread it started is still alive after it (Leakhound's JUnit extension). */
@CheckThreadLeaks
class FirstAnswerTest {

    @Test
    void firstAnswerWins() throws InterruptedException {
        String answer = FirstAnswer.fixed(Replicas.three(), "jvm");
        assertTrue(answer.endsWith(":jvm"), answer);
    }

    /** Passes its assertion, and still FAILS: two replicas' virtual threads are left blocked (mvn test -Pleaks). */
    @Test
    @EnabledIfSystemProperty(named = "leakhound.sample.leaks", matches = "true")
    void losersAreLeft() throws InterruptedException {
        String answer = FirstAnswer.leaky(Replicas.three(), "jvm");
        assertTrue(answer.endsWith(":jvm"), answer);
    }
}
