package dev.leakhound.capture;

import dev.leakhound.model.ThreadDump;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Real dumps, damaged at random (with a fixed seed, so that a failure can be replayed): every one is either
 * read or refused with a {@link ThreadDumpParseException} naming the origin and a line, never another
 * exception and never a hang.
 */
class MutatedDumpsTest {

    private static final int MUTATIONS = 2_000;
    private static final String ORIGIN = "mutated";
    private static final Pattern MESSAGE = Pattern.compile(Pattern.quote(ORIGIN) + ":[1-9]\\d*(:[1-9]\\d*)?: .+",
            Pattern.DOTALL);

    /** Text a broken or hostile file might hold at any place. */
    private static final String[] SNIPPETS = {
            "null", "\"\"", "\"", "{", "}", "[", "]", ",", ":", "-1", "-2", "0", "1.5", "true", "[]", "{}",
            "99999999999", "99999999999999999999999", "\"99999999999\"", "\"-5\"", "\n", "\r\n", "\t", " ",
            "#1 \"", "#2 \"x\" virtual", "\"x\" #3 ", "\"x\" #99999999999999999999 ", "\"y", "\tat ", "    at ",
            "    - locked <", "\t- locked <0x1> (a ", "(a ", "<", ">", "(", ")", "/", "@", "java.lang.Thread.State: ",
            "Full thread dump ", "JNI global refs: 1", "\"threadDump\": {}", "\"tid\": 5", "\"depth\": null",
            "\"threadContainers\": []", "\"monitorsOwned\": [{\"depth\": null, \"locks\": [\"\"]}]", "\u00e9",
            "\uFFFD", "\u2028", "Foo.bar(/home/x/s.rb:10)", "a.b(c@1/d/e:f)",
    };

    @ParameterizedTest
    @ValueSource(strings = {"jdk25.json", "jdk25-plain.txt", "jdk25-thread-print.txt"})
    void everyDamagedDumpIsReadOrRefusedWithItsLine(String fixture) {
        byte[] original = Dumps.bytes(fixture);
        Random random = new Random(20261127L ^ fixture.hashCode());
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(300), () -> {          // a hang guard: generous when busy
            for (int i = 0; i < MUTATIONS; i++) {
                byte[] damaged = mutate(original, random);
                try {
                    ThreadDump dump = ThreadDumpReader.read(new ByteArrayInputStream(damaged), ORIGIN);
                    assertThat(dump.origin()).isEqualTo(ORIGIN);
                    outcomes[0]++;
                } catch (ThreadDumpParseException e) {
                    assertThat(e.getMessage()).as("mutation %d of %s", i, fixture).matches(MESSAGE);
                    assertThat(e.origin()).isEqualTo(ORIGIN);
                    assertThat(e.line()).isPositive();
                    outcomes[1]++;
                } catch (Throwable t) {
                    throw new AssertionError("mutation " + i + " of " + fixture + " failed with " + t
                            + "; the input:\n" + new String(damaged, StandardCharsets.UTF_8), t);
                }
            }
        });
        // both outcomes happen: the mutations neither all break the dump nor all miss
        assertThat(outcomes[0]).isPositive();
        assertThat(outcomes[1]).isPositive();
    }

    /** One to three damages of one of several kinds. */
    private static byte[] mutate(byte[] original, Random random) {
        byte[] b = original;
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            b = switch (random.nextInt(7)) {
                case 0 -> flipByte(b, random);
                case 1 -> Arrays.copyOf(b, random.nextInt(b.length + 1));           // truncate
                case 2 -> editLines(b, random, true);                                // duplicate lines
                case 3 -> editLines(b, random, false);                               // remove lines
                case 4 -> insert(b, random.nextInt(b.length + 1), snippet(random), 0);
                case 5 -> replaceValue(b, random);
                default -> insert(b, random.nextInt(b.length + 1), snippet(random), random.nextInt(8));
            };
        }
        return b;
    }

    private static byte[] flipByte(byte[] b, Random random) {
        byte[] out = b.clone();
        if (out.length > 0) {
            int at = random.nextInt(out.length);
            out[at] = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) (out[at] ^ (1 << random.nextInt(8)));
        }
        return out;
    }

    private static byte[] snippet(Random random) {
        return SNIPPETS[random.nextInt(SNIPPETS.length)].getBytes(StandardCharsets.UTF_8);
    }

    /** Puts {@code text} at {@code at}, replacing {@code remove} bytes there. */
    private static byte[] insert(byte[] b, int at, byte[] text, int remove) {
        int end = Math.min(b.length, at + remove);
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + text.length);
        out.write(b, 0, at);
        out.writeBytes(text);
        out.write(b, end, b.length - end);
        return out.toByteArray();
    }

    /** Replaces what follows a {@code ": "} (a JSON value, or the text after a colon) with a snippet. */
    private static byte[] replaceValue(byte[] b, Random random) {
        List<Integer> colons = new ArrayList<>();
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == ':' && b[i + 1] == ' ') {
                colons.add(i + 2);
            }
        }
        if (colons.isEmpty()) {
            return b;
        }
        int at = colons.get(random.nextInt(colons.size()));
        int end = at;
        while (end < b.length && b[end] != ',' && b[end] != '\n' && b[end] != '}') {
            end++;
        }
        return insert(b, at, snippet(random), end - at);
    }

    /** Duplicates or removes a run of one to three lines. */
    private static byte[] editLines(byte[] b, Random random, boolean duplicate) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n') {
                lines.add(Arrays.copyOfRange(b, start, i + 1));
                start = i + 1;
            }
        }
        if (start < b.length) {
            lines.add(Arrays.copyOfRange(b, start, b.length));
        }
        if (lines.isEmpty()) {
            return b;
        }
        int from = random.nextInt(lines.size());
        int count = Math.min(1 + random.nextInt(3), lines.size() - from);
        List<byte[]> run = new ArrayList<>(lines.subList(from, from + count));
        if (duplicate) {
            lines.addAll(from + count, run);
        } else {
            lines.subList(from, from + count).clear();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length);
        lines.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
