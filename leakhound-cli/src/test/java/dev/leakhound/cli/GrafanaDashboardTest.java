package dev.leakhound.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard shipped in {@code observability/grafana/leakhound.json} is one Grafana 10/11 imports: a
 * datasource input, an {@code instance} variable, panels with unique ids, each with a datasource and queries. That
 * each query returns data from a real Prometheus scraping real agents is {@link PrometheusAlertsIT}'s part.
 */
class GrafanaDashboardTest {
    private static final String DATASOURCE = "${DS_PROMETHEUS}";

    /** The checkout's {@code observability/grafana/leakhound.json}. */
    static Path file() {
        return Promtool.rulesDir().resolveSibling("grafana").resolve("leakhound.json");
    }

    static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(Files.readString(file()));
    }

    /** Every panel target's PromQL, with the panel's title. */
    static List<String[]> queries() throws IOException {
        List<String[]> queries = new ArrayList<>();
        for (JsonNode panel : dashboard().path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(new String[] {panel.path("title").asText(), target.path("expr").asText()});
            }
        }
        return queries;
    }

    @Test
    void grafanaCanImportIt() throws IOException {
        JsonNode d = dashboard();
        assertThat(d.path("__inputs")).hasSize(1);
        JsonNode input = d.path("__inputs").get(0);
        assertThat(input.path("name").asText()).isEqualTo("DS_PROMETHEUS");
        assertThat(input.path("type").asText()).isEqualTo("datasource");
        assertThat(input.path("pluginId").asText()).isEqualTo("prometheus");
        assertThat(d.path("uid").asText()).isEqualTo("leakhound");
        assertThat(d.path("title").asText()).isNotBlank();
        assertThat(d.path("schemaVersion").asInt()).as("Grafana 10/11's schema").isBetween(36, 41);
        assertThat(d.path("id").isNull()).as("no id of the Grafana it was made in").isTrue();

        JsonNode vars = d.path("templating").path("list");
        assertThat(vars).hasSize(1);
        JsonNode instance = vars.get(0);
        assertThat(instance.path("name").asText()).isEqualTo("instance");
        assertThat(instance.path("type").asText()).isEqualTo("query");
        assertThat(instance.path("datasource").path("uid").asText()).isEqualTo(DATASOURCE);
        assertThat(instance.path("query").path("query").asText()).isEqualTo("label_values(leakhound_threads, instance)");
    }

    @Test
    void everyPanelHasAUniqueIdADatasourceAndQueriesOfOurMetrics() throws IOException {
        JsonNode panels = dashboard().path("panels");
        assertThat(panels.size()).isGreaterThanOrEqualTo(8);
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels) {
            String title = panel.path("title").asText();
            assertThat(title).isNotBlank();
            assertThat(panel.path("id").isInt()).as(title + ": an id").isTrue();
            assertThat(ids.add(panel.path("id").asInt())).as(title + ": a unique id").isTrue();
            assertThat(panel.path("datasource").path("uid").asText()).as(title + ": datasource").isEqualTo(DATASOURCE);
            JsonNode grid = panel.path("gridPos");
            assertThat(grid.path("w").asInt()).as(title + ": width").isBetween(1, 24);
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as(title + ": within the row").isLessThanOrEqualTo(24);
            assertThat(panel.path("targets").size()).as(title + ": queries").isPositive();
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : panel.path("targets")) {
                assertThat(refIds.add(target.path("refId").asText())).as(title + ": unique refIds").isTrue();
                assertThat(target.path("datasource").path("uid").asText()).isEqualTo(DATASOURCE);
                assertThat(target.path("expr").asText()).as(title)
                        .containsPattern("\\bleakhound_\\w+\\{instance=~\"\\$instance\"");
            }
        }
    }

    /** The panels the issue asks for are there, by the metrics they read. */
    @Test
    void itShowsThreadsSuspectsDeadlocksGcAndHeap() throws IOException {
        String all = String.join("\n", queries().stream().map(q -> q[1]).toList());
        assertThat(all).contains("leakhound_threads{", "kind=\"virtual\"", "kind=\"platform\"",
                "leakhound_leak_suspect_site_threads{", "leakhound_deadlocked_threads{",
                "leakhound_gc_pause_seconds_total{", "leakhound_gc_collections_total{",
                "leakhound_heap_after_gc_bytes{", "leakhound_heap_max_bytes{");
    }
}
