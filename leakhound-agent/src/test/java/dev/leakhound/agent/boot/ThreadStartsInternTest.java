package dev.leakhound.agent.boot;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The bounded interning of sites and creator names: indexes from the first slot, then the full index. */
class ThreadStartsInternTest {

    @Test
    void keysGetTheNextSlotUntilTheTableIsFullThenTheFullIndex() {
        ConcurrentHashMap<Integer, Integer> indexes = new ConcurrentHashMap<>();
        String[] values = new String[5];
        Function<Integer, String> value = k -> "v" + k;
        assertThat(ThreadStarts.intern(indexes, values, 1, 10, value)).isEqualTo(2);
        assertThat(ThreadStarts.intern(indexes, values, 1, 11, value)).isEqualTo(3);
        assertThat(ThreadStarts.intern(indexes, values, 1, 10, k -> "not asked again")).isEqualTo(2);
        assertThat(ThreadStarts.intern(indexes, values, 1, 12, value)).isEqualTo(4);
        assertThat(ThreadStarts.intern(indexes, values, 1, 13, value)).as("full").isEqualTo(1);
        assertThat(ThreadStarts.intern(indexes, values, 1, 11, value)).as("known keys keep theirs").isEqualTo(3);
        assertThat(values).containsExactly(null, null, "v10", "v11", "v12");
        assertThat(indexes).hasSize(3);
    }

    @Test
    void equalNamesShareAnIndexAndNamesPastTheLimitHaveNone() {
        String name = "creator-" + System.nanoTime();
        int index = ThreadStarts.nameIndex(name);
        assertThat(index).isPositive();
        assertThat(ThreadStarts.nameIndex(name)).isEqualTo(index);
        assertThat(ThreadStarts.nameIndex(new String(name))).as("an equal name").isEqualTo(index);
        int unnamedAt = -1;
        for (int i = 0; i < ThreadStarts.MAX_NAMES && unnamedAt < 0; i++) {
            if (ThreadStarts.nameIndex(name + "-" + i) == 0) {
                unnamedAt = i;
            }
        }
        assertThat(unnamedAt).as("a name past the " + ThreadStarts.MAX_NAMES + " slots has none").isPositive();
        assertThat(ThreadStarts.nameIndex(name)).as("a name interned before keeps its index").isEqualTo(index);
    }
}
