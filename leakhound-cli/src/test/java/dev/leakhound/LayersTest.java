package dev.leakhound;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rooms of the production code depend one way, as {@code docs/design.md}'s map and each
 * {@code package-info.java} say: a lower room never uses a higher one. Read from the compiled classes of every
 * module this one sees (core, heap, JUnit, Micrometer, Spring Boot starter, agent, examples, CLI), so a qualified name counts as much as an import.
 * A new package fails here until it is given its place in {@link #ROOMS}.
 */
class LayersTest {
    private static final String CORE = "dev.leakhound";

    /** What every room of the agent may use of the agent's root: its options and its log, not the start-up. */
    private static final String AGENT_BASICS = "agent:AgentLog,AgentOptions";

    /** Room (one package, not its sub-packages) to the other rooms it may use. */
    private static final Map<String, Set<String>> ROOMS = new LinkedHashMap<>();

    static {
        // core: the thread flow (capture -> model -> analysis -> report, the leak check on top), GC logs, histograms
        room("model");
        room("io");
        room("capture", "model", "io");
        room("analysis", "model");
        room("report", "model", "analysis");
        room("", "model", "io", "capture", "analysis", "report");
        room("gc");
        room("gc.parse", "gc", "io");
        room("gc.report", "gc");
        room("histogram");
        // leakhound-heap: reader -> index -> histogram and proof
        room("hprof", "io");
        room("hprof.index", "hprof", "histogram");
        room("hprof.histogram", "hprof", "hprof.index", "histogram");
        room("proof", "hprof", "hprof.index", "model", "analysis", "report");
        // leakhound-heap: the heap profile (JFR events -> model -> reports)
        room("heapprofile", "model");
        room("heapprofile.jfr", "heapprofile", "model");
        room("heapprofile.report", "heapprofile", "model", "report");
        // the programs under test know nothing of Leakhound
        room("examples");
        // front ends
        room("junit", "", "capture", "model");
        room("micrometer", "", "capture", "analysis", "model");
        room("spring", "micrometer", "analysis", "report", "model");
        room("agent.boot");
        room("agent.instrument", "agent.boot", "capture", "model");
        room("agent.capture", "capture", "analysis", "model");   // LiveDeadlocks finds the cycles it captures
        room("agent.gcwatch", "gc");
        room("agent.metrics", "analysis", "gc", "model");
        room("agent.pprof", "analysis", "model", "heapprofile");
        room("agent.http", AGENT_BASICS);
        room("agent.sampling", AGENT_BASICS, "agent.capture", "agent.http", "analysis", "model");
        room("agent.proof", AGENT_BASICS, "agent.http", "capture", "hprof", "hprof.index", "proof", "report", "model");
        room("agent.endpoints", AGENT_BASICS, "agent.http", "agent.sampling", "agent.capture", "agent.gcwatch",
                "agent.metrics", "agent.proof", "agent.pprof", "analysis", "gc", "gc.report", "histogram", "model",
                "report", "capture", "heapprofile", "heapprofile.jfr", "heapprofile.report");
        room("agent", "agent.boot", "agent.instrument", "agent.capture", "agent.gcwatch", "agent.metrics",
                "agent.pprof", "agent.http", "agent.sampling", "agent.proof", "agent.endpoints", "", "model", "io",
                "capture", "analysis", "report", "gc", "gc.parse", "gc.report", "histogram", "heapprofile");
        // the CLI sits on everything; Main registers the demo, the demo uses Main's exit codes and the launcher agent
        room("cli", "cli.demo", "agent", "", "model", "io", "capture", "analysis", "report", "gc", "gc.parse",
                "gc.report", "histogram", "hprof", "hprof.index", "hprof.histogram", "proof", "heapprofile",
                "heapprofile.jfr", "heapprofile.report", "agent.pprof");
        room("cli.demo", "cli", "examples", "agent", "agent.capture", "agent.instrument", "agent.proof", "",
                "model", "io", "capture", "analysis", "report", "gc", "gc.parse", "gc.report", "histogram", "hprof",
                "hprof.index", "hprof.histogram", "proof", "heapprofile", "heapprofile.jfr", "heapprofile.report",
                "agent.pprof");
    }

    private static final Pattern SHADED_AGENT_JAR = Pattern.compile(".*/leakhound-agent-[^/]*\\.jar!/.*");
    private static JavaClasses production;

    @BeforeAll
    static void importProduction() {
        production = new ClassFileImporter()
                .withImportOption(location -> !location.contains("/test-classes/") && !location.contains("-tests.jar"))
                // leakhound-agent's jar is the shaded agent, with copies of core's and heap's classes (their libraries
                // relocated): take only the agent's own classes from it, the others from their modules.
                .withImportOption(location -> !location.matches(SHADED_AGENT_JAR) || location.contains("!/dev/leakhound/agent/"))
                .importPackages(CORE)
                .that(DescribedPredicate.describe("not shaded", c -> !c.getPackageName().startsWith(CORE + ".shaded")));
    }

    @Test
    void everyPackageHasARoom() {
        Set<String> packages = new TreeSet<>();
        production.forEach(c -> packages.add(c.getPackageName()));
        assertThat(packages).as("packages of the production code").hasSizeGreaterThan(25)
                .allSatisfy(p -> assertThat(ROOMS).as("a room for " + p).containsKey(p));
        assertThat(ROOMS.keySet()).as("rooms that still exist").allSatisfy(r -> assertThat(packages).contains(r));
    }

    @Test
    void noRoomUsesOneThatIsNotBelowIt() {
        List<String> broken = new ArrayList<>();
        ROOMS.forEach((room, allowed) -> {
            EvaluationResult result = classes().that().resideInAPackage(room)
                    .should().onlyDependOnClassesThat(DescribedPredicate.describe(
                            "are outside Leakhound, in " + room + " or in " + allowed, c -> mayUse(room, allowed, c)))
                    .allowEmptyShould(true)
                    .evaluate(production);
            result.getFailureReport().getDetails().forEach(broken::add);
        });
        assertThat(broken).as("dependencies against the flow").isEmpty();
    }

    /** The rule is itself one-way: following what rooms may use never leads back to where it started. */
    @Test
    void theRoomsFormNoCycleButTheClisEntryAndItsDemo() {
        for (String start : ROOMS.keySet()) {
            Set<String> seen = new TreeSet<>();
            List<String> todo = new ArrayList<>(uses(start));
            while (!todo.isEmpty()) {
                String next = todo.remove(todo.size() - 1);
                if (seen.add(next)) {
                    todo.addAll(uses(next));
                }
            }
            if (!start.startsWith(CORE + ".cli")) {
                assertThat(seen).as("what " + start + " reaches").doesNotContain(start);
            }
        }
    }

    /** {@code docs/design.md}'s table of rooms names exactly the rooms of the tree. */
    @Test
    void theDesignDocsMapMatchesTheTree() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("../docs/design.md"));
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("| room (`dev.leakhound...`)")).findFirst()
                .orElseThrow(() -> new AssertionError("design.md has no table of rooms")));
        Set<String> documented = new TreeSet<>();
        for (String line : lines.subList(header + 2, lines.size())) {
            if (!line.startsWith("|")) {
                break;
            }
            String first = line.split("\\|")[1];
            if (first.contains("(root)")) {
                documented.add(CORE);
            }
            Matcher m = Pattern.compile("`([a-z.]+)`").matcher(first);
            while (m.find()) {
                documented.add(pkg(m.group(1)));
            }
        }
        assertThat(documented).containsExactlyInAnyOrderElementsOf(ROOMS.keySet());
    }

    /** Every room says in a {@code package-info.java} what it is for and what it must not depend on. */
    @Test
    void everyRoomSaysWhatItIsFor() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<String> missing = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(p -> p.getFileName().toString().startsWith("leakhound-")).toList()) {
                Path sources = module.resolve("src/main/java");
                if (!Files.isDirectory(sources)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(sources)) {
                    files.filter(f -> f.toString().endsWith(".java")).map(Path::getParent).distinct()
                            .filter(dir -> !Files.exists(dir.resolve("package-info.java")))
                            .forEach(dir -> missing.add(root.relativize(dir).toString()));
                }
            }
        }
        assertThat(missing).as("packages without a package-info.java").isEmpty();
    }

    private static Set<String> uses(String room) {
        Set<String> out = new TreeSet<>();
        for (String a : ROOMS.getOrDefault(room, Set.of())) {
            if (!a.contains(":")) {                // the agent's log and options use nothing of the agent: leaves
                out.add(a);
            }
        }
        return out;
    }

    private static boolean mayUse(String room, Set<String> allowed, JavaClass c) {
        String p = c.getPackageName();
        if (!p.equals(CORE) && !p.startsWith(CORE + ".") || p.startsWith(CORE + ".shaded.") || p.equals(room)) {
            return true;
        }
        for (String a : allowed) {
            int colon = a.indexOf(':');
            if (colon < 0) {
                if (p.equals(a)) {
                    return true;
                }
            } else if (p.equals(a.substring(0, colon))) {
                String outer = c.getName().substring(p.length() + 1).split("\\$")[0];
                if (Set.of(a.substring(colon + 1).split(",")).contains(outer)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void room(String name, String... mayUse) {
        Set<String> allowed = new TreeSet<>();
        for (String a : mayUse) {
            allowed.add(a.contains(":") ? pkg(a.substring(0, a.indexOf(':'))) + a.substring(a.indexOf(':')) : pkg(a));
        }
        ROOMS.put(pkg(name), allowed);
    }

    private static String pkg(String relative) {
        return relative.isEmpty() ? CORE : CORE + "." + relative;
    }
}
