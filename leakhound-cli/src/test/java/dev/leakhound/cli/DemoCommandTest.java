package dev.leakhound.cli;

import dev.leakhound.LeakOptions;
import dev.leakhound.Leakhound;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code leakhound demo} in this JVM: leaks where the seed says, none elsewhere, nothing left behind. */
@Timeout(60)
class DemoCommandTest {

    @Test
    void demoFindsTheLeaksOfTheLeakyVariantsOnlyAndCleansUp() {
        LeakOptions before = LeakOptions.builder().ignoreCurrent().build();

        Cli.Result r = Cli.run("demo", "--rounds", "3", "--period-ms", "20");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        String out = r.out();
        String multiQueryLeaky = section(out, "1. MultiQuery LEAKY", "2. MultiQuery BUFFERED");
        String buffered = section(out, "2. MultiQuery BUFFERED", "3. MultiQuery CANCELLING");
        String cancelling = section(out, "3. MultiQuery CANCELLING", "4. SentinelAgent LEAKY");
        String sentinelLeaky = section(out, "4. SentinelAgent LEAKY", "5. SentinelAgent FIXED");
        String sentinelFixed = section(out, "5. SentinelAgent FIXED", "Afterwards:");

        // (a) the two slower queries, blocked forever in SynchronousQueue.put at the example's line
        assertThat(multiQueryLeaky)
                .contains("leakhound: found 2 leaked threads in 1 group")
                .containsPattern("2 virtual threads WAITING in SynchronousQueue\\.put, parked on "
                        + "java\\.util\\.concurrent\\.SynchronousQueue\\$Transferer@")
                .containsPattern("blocked at  dev\\.leakhound\\.examples\\.MultiQuery\\.lambda\\$firstAnswer\\$\\d+"
                        + "\\(MultiQuery\\.java:\\d+\\)")
                .contains("=> as expected: the 2 slower queries block forever in SynchronousQueue.put at MultiQuery.java:")
                .contains("clean-up: interrupted the 2 blocked threads; all ended");
        // (b) no leak with a buffer, nor when the slower queries are cancelled
        for (String noLeak : List.of(buffered, cancelling)) {
            assertThat(noLeak).contains("leakhound: no leaked threads", "=> as expected: no leak")
                    .doesNotContain("leaked thread ");
        }
        // (c) the checkers stuck on the done queues: more every round, one more per check
        List<Integer> growth = leakedPerRound(sentinelLeaky);
        assertThat(growth).hasSize(3);
        assertThat(growth.get(1) - growth.get(0)).isEqualTo(3);
        assertThat(growth.get(2) - growth.get(1)).isEqualTo(3);
        int stuck = growth.getLast();
        String arrows = growth.stream().map(String::valueOf).collect(Collectors.joining(" -> "));
        assertThat(sentinelLeaky)
                .contains("leakhound: found " + stuck + " leaked threads in 1 group")
                .contains(stuck + " virtual threads WAITING in ArrayBlockingQueue.put")
                .containsPattern("blocked at  dev\\.leakhound\\.examples\\.SentinelAgent\\.runCheck\\(SentinelAgent\\.java:\\d+\\)")
                .contains("=> as expected: the leaked checker threads grow every round (" + arrows + ", one more per check)")
                .contains("clean-up: interrupted the " + stuck + " blocked threads; all ended");
        // (d) fixed: none in any round
        assertThat(leakedPerRound(sentinelFixed)).containsExactly(0, 0, 0);
        assertThat(sentinelFixed).contains("leakhound: no leaked threads", "=> as expected: no leak in any round");

        assertThat(section(out, "Afterwards:", "demo: ")).contains("leakhound: no leaked threads");
        assertThat(out.lines().toList().getLast()).startsWith("demo: as expected (")
                .contains("MultiQuery leaky leaked 2 virtual threads in SynchronousQueue.put, buffered none, "
                        + "cancelling none; SentinelAgent buggy leaked " + arrows + " checker threads over 3 rounds, "
                        + "fixed none");
        assertThat(out).doesNotContain("NOT as expected");

        // The demo interrupted what it leaked: nothing of it is left in this JVM.
        Leakhound.verifyNone(before);
    }

    private static String section(String out, String from, String to) {
        int start = out.indexOf(from);
        int end = out.indexOf(to, Math.max(start, 0));
        assertThat(start).as("'%s' in\n%s", from, out).isNotNegative();
        assertThat(end).as("'%s' after '%s' in\n%s", to, from, out).isGreaterThan(start);
        return out.substring(start, end);
    }

    private static List<Integer> leakedPerRound(String section) {
        Matcher m = Pattern.compile("round \\d+: (\\d+) leaked checker threads?").matcher(section);
        List<Integer> counts = new java.util.ArrayList<>();
        while (m.find()) {
            counts.add(Integer.parseInt(m.group(1)));
        }
        return counts;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--rounds=1       | leakhound: --rounds must be from 2 to 100, not 1 (see 'leakhound demo --help')",
            "--rounds=many    | leakhound: Invalid value for option '--rounds': 'many' is not an int (see 'leakhound demo --help')",
            "--period-ms=0    | leakhound: --period-ms must be from 1 to 10000, not 0 (see 'leakhound demo --help')",
            "--bogus          | leakhound: Unknown option: '--bogus' (see 'leakhound demo --help')"})
    void badOptionsAreUsageErrors(String option, String message) {
        Cli.Result r = Cli.run("demo", option);

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo(message + "\n");
    }
}
