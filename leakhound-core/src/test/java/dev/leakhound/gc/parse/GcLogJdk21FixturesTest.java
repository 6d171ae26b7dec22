package dev.leakhound.gc.parse;

import dev.leakhound.gc.GcLog;
import dev.leakhound.gc.HeapTrend;
import dev.leakhound.gc.report.GcTrace;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The GC logs one run of {@link GcLogJdk21Test} wrote on a real JDK 21 (21.0.13, Debian), committed gzipped under
 * {@code gc/jdk21/} so that every machine reads JDK 21's formats: every collector, ZGC generational and not, and
 * Shenandoah, each leaking and not.
 */
class GcLogJdk21FixturesTest {

    private static GcLog log(String name, boolean leak) throws Exception {
        URL url = GcLogJdk21FixturesTest.class.getResource("/gc/jdk21/" + name + (leak ? "-leak" : "-steady") + ".log.gz");
        assertThat(url).as("fixture " + name).isNotNull();
        try {
            return GcLogParser.parse(Path.of(url.toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyCollectorsLogsAreReadAndTheLeakIsToldApart() throws Exception {
        Map<String, GcLogJdk21Test.Setting> settings = GcLogJdk21Test.settings();
        assertThat(settings).containsKeys("G1", "Parallel", "Serial", "ZGC", "ZGC-generational", "Shenandoah");
        for (Map.Entry<String, GcLogJdk21Test.Setting> e : settings.entrySet()) {
            GcLog leaking = log(e.getKey(), true);
            GcLog steady = log(e.getKey(), false);
            GcLogJdk21Test.check(leaking, e.getValue(), leaking.origin());
            GcLogJdk21Test.check(steady, e.getValue(), steady.origin());
            HeapTrend l = leaking.trend(HeapTrend.DEFAULT_WINDOW);
            HeapTrend s = steady.trend(HeapTrend.DEFAULT_WINDOW);
            String both = e.getKey() + ": leaking " + GcTrace.verdict(l) + "; steady " + GcTrace.verdict(s);
            assertThat(l.verdict()).as(both).isEqualTo(HeapTrend.Verdict.GROWING);
            assertThat(s.verdict()).as(both).isEqualTo(HeapTrend.Verdict.STABLE);
        }
    }

    @Test
    void generationalAndNonGenerationalZgcAreToldApart() throws Exception {
        GcLogJdk21Test.checkZgcKinds(log("ZGC", true), log("ZGC-generational", true));
    }
}
