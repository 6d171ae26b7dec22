package dev.leakhound.junit;

import dev.leakhound.junit.fixtures.OnlyThroughTestKit;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** Runs fixture classes through the Jupiter engine and reads their results. */
final class TestKit {
    static final String AUTODETECTION = "junit.jupiter.extensions.autodetection.enabled";
    static final String PARALLEL = "junit.jupiter.execution.parallel.enabled";

    private TestKit() {
    }

    /**
     * Runs one fixture class with these configuration parameters (key, value, key, value, ...) and nothing
     * from system properties or {@code junit-platform.properties}.
     */
    static EngineExecutionResults run(Class<?> fixture, String... config) {
        return run(List.of(fixture), config);
    }

    /** {@link #run(Class, String...)} with several fixture classes in one run. */
    static EngineExecutionResults run(List<Class<?>> fixtures, String... config) {
        EngineTestKit.Builder kit = EngineTestKit.engine("junit-jupiter")
                .selectors(fixtures.stream().map(c -> selectClass(c)).toArray(DiscoverySelector[]::new))
                .enableImplicitConfigurationParameters(false)
                .configurationParameter(OnlyThroughTestKit.KEY, "true");
        for (int i = 0; i < config.length; i += 2) {
            kit.configurationParameter(config[i], config[i + 1]);
        }
        return kit.execute();
    }

    /** The result of every finished test or container, by display name. */
    static Map<String, TestExecutionResult> results(Events events) {
        Map<String, TestExecutionResult> out = new LinkedHashMap<>();
        for (Event e : events.finished().list()) {
            String name = e.getTestDescriptor().getDisplayName();
            assertThat(out).as("display names in the fixture are unique").doesNotContainKey(name);
            out.put(name, e.getRequiredPayload(TestExecutionResult.class));
        }
        return out;
    }

    /**
     * For a probe in a child JVM: prints {@code result NAME STATUS} and, for a failure, {@code message NAME TEXT} for
     * every finished test or container, for the parent test to read.
     */
    static void printResults(EngineExecutionResults results) {
        for (Map.Entry<String, TestExecutionResult> e : results(results.allEvents()).entrySet()) {
            TestExecutionResult r = e.getValue();
            System.out.println("result " + e.getKey() + " " + r.getStatus());
            r.getThrowable().ifPresent(t -> System.out.println("message " + e.getKey() + " " + t.getMessage()));
        }
    }

    /** The display names of the tests (or containers) that failed. */
    static List<String> failedNames(Events events) {
        return events.failed().list().stream().map(e -> e.getTestDescriptor().getDisplayName()).toList();
    }

    /** The throwable the one failed test (or container) with this display name failed with. */
    static Throwable failure(Events events, String displayName) {
        TestExecutionResult result = results(events).get(displayName);
        assertThat(result).as("result of %s", displayName).isNotNull();
        assertThat(result.getStatus()).as("status of %s", displayName).isEqualTo(TestExecutionResult.Status.FAILED);
        return result.getThrowable().orElseThrow();
    }

    /** The values of the report entries published under Leakhound's key. */
    static List<String> leakhoundReportEntries(EngineExecutionResults results) {
        return results.allEvents().reportingEntryPublished().list().stream()
                .map(e -> e.getRequiredPayload(ReportEntry.class).getKeyValuePairs())
                .filter(m -> m.containsKey(LeakhoundExtension.REPORT_KEY))
                .map(m -> m.get(LeakhoundExtension.REPORT_KEY))
                .toList();
    }
}
