package dev.leakhound.hprof.index;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LongIntMapTest {

    @Test
    void agreesWithAHashMapOnAlignedRandomAndEdgeKeys() {
        LongIntMap map = new LongIntMap();
        Map<Long, Integer> expected = new HashMap<>();
        SplittableRandom random = new SplittableRandom(42);
        long[] edges = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 8, 16};
        for (int i = 0; i < 50_000; i++) {
            long key = i < edges.length ? edges[i]
                    : (i % 3 == 0 ? random.nextLong() : 0x7_0000_0000L + 8L * random.nextInt(200_000)); // like addresses
            int value = random.nextInt(Integer.MAX_VALUE);
            map.put(key, value);
            expected.put(key, value);
        }
        assertThat(map.size()).isEqualTo(expected.size());
        expected.forEach((k, v) -> assertThat(map.get(k)).as("key %d", k).isEqualTo(v));
        for (int i = 0; i < 10_000; i++) {
            long absent = random.nextLong();
            if (!expected.containsKey(absent)) {
                assertThat(map.get(absent)).isEqualTo(-1);
            }
        }
    }

    @Test
    void anEmptyMapHasNoZeroKeyAndNegativeValuesAreRefused() {
        LongIntMap map = new LongIntMap();
        assertThat(map.get(0)).isEqualTo(-1);
        assertThat(map.get(123)).isEqualTo(-1);
        assertThatThrownBy(() -> map.put(5, -1)).isInstanceOf(IllegalArgumentException.class);
        map.put(0, 7);
        map.put(0, 9);
        assertThat(map.get(0)).isEqualTo(9);
        assertThat(map.size()).isEqualTo(1);
    }
}
