package dev.leakhound.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert rules shipped in {@code observability/prometheus}, checked and unit-tested by the real {@code promtool}
 * (series in, alerts out: {@code *-test.yml}). What the rules read is checked against a real agent's scrape by
 * {@link PrometheusMetricsIT}.
 */
class PrometheusRulesTest {
    private static final Pattern ALERT = Pattern.compile("(?m)^\\s*- alert: (\\w+)$");

    @Test
    void theRulesAreValid() throws Exception {
        Promtool promtool = Promtool.require();
        Path dir = Promtool.rulesDir();
        for (Path rules : ruleFiles(dir)) {
            Promtool.Result r = promtool.run(dir, null, "check", "rules", rules.getFileName().toString());
            assertThat(r.exitStatus()).as(r.output()).isZero();
            assertThat(r.output()).contains("SUCCESS");
        }
    }

    @Test
    void everyRuleTestPasses() throws Exception {
        Promtool promtool = Promtool.require();
        Path dir = Promtool.rulesDir();
        List<Path> tests = testFiles(dir);
        assertThat(tests).isNotEmpty();
        for (Path test : tests) {
            Promtool.Result r = promtool.run(dir, null, "test", "rules", test.getFileName().toString());
            assertThat(r.exitStatus()).as(r.output()).isZero();
            assertThat(r.output()).contains("SUCCESS").doesNotContain("FAILED");
        }
    }

    /** Each alert has a test where it fires (expected alerts with labels), not only tests where it stays quiet. */
    @Test
    void everyAlertIsTestedFiring() throws Exception {
        Path dir = Promtool.rulesDir();
        StringBuilder tests = new StringBuilder();
        for (Path test : testFiles(dir)) {
            tests.append(Files.readString(test));
        }
        for (Path rules : ruleFiles(dir)) {
            Matcher m = ALERT.matcher(Files.readString(rules));
            int alerts = 0;
            while (m.find()) {
                alerts++;
                assertThat(tests.toString()).as("a firing test of " + m.group(1)).containsPattern(
                        "alertname: " + m.group(1) + "\\n\\s+exp_alerts:\\n\\s+- exp_labels:");
            }
            assertThat(alerts).as(rules + " holds alerts").isPositive();
        }
    }

    private static List<Path> ruleFiles(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".yml") && !p.toString().endsWith("-test.yml")).sorted().toList();
        }
    }

    private static List<Path> testFiles(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith("-test.yml")).sorted().toList();
        }
    }
}
