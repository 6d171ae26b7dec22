package dev.leakhound.cli.browser;

import dev.leakhound.testing.Json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a test reads off one of Leakhound's pages, by the contract of {@code leakhound.js}: the uPlot charts of
 * {@code window.leakhound.charts} and the groups of {@code #groups}.
 */
public final class LeakhoundPage {
    private LeakhoundPage() {
    }

    /** A chart's points: {@code x} and one series per label (null where uPlot has no point). */
    public record Chart(List<Double> x, List<String> labels, List<List<Double>> series) {
        /** Series {@code label}'s points, or an error naming the labels there are. */
        public List<Double> series(String label) {
            int i = labels.indexOf(label);
            if (i < 0) {
                throw new AssertionError("no series " + label + " in " + labels);
            }
            return series.get(i);
        }

        /** Series {@code label}'s value at each x, in a map (x to value). */
        public Map<Double, Double> byX(String label) {
            List<Double> s = series(label);
            Map<Double, Double> out = new LinkedHashMap<>();
            for (int i = 0; i < x.size(); i++) {
                out.put(x.get(i), s.get(i));
            }
            return out;
        }
    }

    /** One {@code <details class="group">}: its data attributes, summary text, stack text, hidden or not. */
    public record Group(long count, String state, String verdict, String summary, String stack, boolean hidden) {
    }

    /** Every chart of {@code window.leakhound.charts}, read in one evaluation (a refresh cannot split it). */
    public static Map<String, Chart> charts(Chromium page) {
        Map<String, Object> all = Json.object(page.evaluate("(() => { const out = {};"
                + " for (const [n, c] of Object.entries(window.leakhound.charts))"
                + "   out[n] = {labels: c.series.slice(1).map(s => s.label), data: c.data};"
                + " return out; })()"));
        Map<String, Chart> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : all.entrySet()) {
            Map<String, Object> c = Json.object(e.getValue());
            List<Object> data = Json.array(c.get("data"));
            List<List<Double>> series = new ArrayList<>();
            for (Object s : data.subList(1, data.size())) {
                series.add(numbers(s));
            }
            List<String> labels = Json.array(c.get("labels")).stream().map(String.class::cast).toList();
            out.put(e.getKey(), new Chart(numbers(data.get(0)), labels, series));
        }
        return out;
    }

    /** The groups of {@code #groups}, in the page's order. */
    public static List<Group> groups(Chromium page) {
        List<Group> out = new ArrayList<>();
        for (Map<String, Object> g : Json.objects(page.evaluate("[...document.querySelectorAll('#groups details.group')]"
                + ".map(d => ({count: d.dataset.count, state: d.dataset.state, verdict: d.dataset.verdict ?? null,"
                + " summary: d.querySelector('summary').textContent,"
                + " stack: d.querySelector('pre.stack')?.textContent ?? null, hidden: d.hidden}))"))) {
            out.add(new Group(Long.parseLong((String) g.get("count")), (String) g.get("state"), (String) g.get("verdict"),
                    (String) g.get("summary"), (String) g.get("stack"), (Boolean) g.get("hidden")));
        }
        return out;
    }

    /** Numbers of a JSON array as doubles, nulls kept. */
    public static List<Double> numbers(Object array) {
        List<Double> out = new ArrayList<>();
        for (Object o : Json.array(array)) {
            out.add(o == null ? null : ((Number) o).doubleValue());
        }
        return Collections.unmodifiableList(out);
    }

    /** The least-squares line through the points, at each x (as the heap chart's trend must be); nulls if none. */
    public static List<Double> trend(List<Double> x, List<Double> y) {
        int n = x.size();
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x.get(i) / n;
            my += y.get(i) / n;
        }
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x.get(i) - mx) * (y.get(i) - my);
            sxx += (x.get(i) - mx) * (x.get(i) - mx);
        }
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(n < 2 || sxx == 0 ? null : my + sxy / sxx * (x.get(i) - mx));
        }
        return out;
    }

    /** The page's groups are the JSON's, in order: count, state (or wait kind), line (blockedAt, else top frame). */
    public static void assertSameGroups(List<Group> groups, List<Map<String, Object>> json, String stateField) {
        assertThat(groups).hasSameSizeAs(json).isNotEmpty();
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            Map<String, Object> j = json.get(i);
            assertThat(g.count()).as("count of group " + i).isEqualTo(j.get("count"));
            assertThat(g.state()).as("state of group " + i).isEqualTo(j.get(stateField));
            List<Object> stack = j.get("stack") == null ? List.of() : Json.array(j.get("stack"));
            Object line = j.get("blockedAt") != null ? j.get("blockedAt") : stack.isEmpty() ? null : stack.getFirst();
            if (line != null) {
                assertThat(g.summary()).as("summary of group " + i).contains("at " + line);
            }
            for (Object frame : stack) {
                assertThat(g.stack()).as("stack of group " + i).contains("at " + frame);
            }
        }
    }

}
