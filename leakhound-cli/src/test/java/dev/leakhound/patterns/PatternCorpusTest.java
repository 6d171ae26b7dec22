package dev.leakhound.patterns;

import dev.leakhound.cli.Cli;
import dev.leakhound.testing.Json;
import dev.leakhound.testing.ThreadsAt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The yardstick of the leak patterns: every program of {@link Corpus} runs in one child JVM; once all are blocked,
 * a real JSON thread dump and a real heap dump are taken and the child is killed; {@code leakhound threads --json}
 * and {@code leakhound heap --json --threads DUMP} read them in this JVM; each group is matched to its scenario
 * (by the first frame of a scenario's class, else by the {@code pc-ID-N} thread names) and scored against the
 * pattern the scenario shows. The table goes to standard output and {@code target/pattern-corpus.md}.
 *
 * <p>Whatever the classifiers do, three things must hold: {@code threads} lists every leak as a suspect (a forgotten
 * pool excepted: a thread dump cannot tell it from a live idle pool), the heap proof claims no control, and no
 * pattern named for a scenario is a wrong one. A group with no pattern, or {@code unclassified}, is counted, not failed.
 */
@Timeout(600)
class PatternCorpusTest {
    static final Path TABLE = Path.of("target", "pattern-corpus.md");

    @TempDir
    static Path dir;

    static Score threads;
    static Score heap;
    static List<Row> rows;
    static String notes = "";

    /** What one tool said of one scenario. */
    record Verdict(String outcome, String detail) {
        static final String RIGHT = "right";
        static final String WRONG = "WRONG";
        static final String UNCLASSIFIED = "unclassified";
        static final String NOT_FOUND = "not found";
        static final String CLAIMED = "CLAIMED LEAKED";
        static final String NOT_CLAIMED = "not claimed";

        String text() {
            return detail.isEmpty() ? outcome : outcome + " (" + detail + ")";
        }
    }

    record Row(Scenario scenario, Verdict threads, boolean suspect, Verdict heap) {
        @Override
        public String toString() {
            return scenario.id() + " (" + scenario.expected() + "): threads " + threads.text() + "; heap " + heap.text();
        }
    }

    /** The groups a tool's JSON holds, and where. */
    record Found(List<Map<String, Object>> groups, Set<String> places, boolean deadlock, List<String> patterns) {
    }

    /** Counts of one tool's verdicts. */
    record Score(String tool, int right, int wrong, int unclassified, int notFound) {
    }

    @BeforeAll
    static void runTheCorpusDumpAndScore() throws Exception {
        Path threadDump = dir.resolve("corpus-threads.json");
        Path heapDump = dir.resolve("corpus-heap.hprof");
        dumpTheChild(threadDump, heapDump);

        Cli.Result t = Cli.run("threads", "--json", threadDump.toString());
        assertThat(t.status()).as(t.toString()).isIn(0, 1);
        Map<String, Object> threadsDoc = Json.object(Json.parse(t.out()));

        Cli.Result h = Cli.run("heap", heapDump.toString(), "--json", "--threads", threadDump.toString());
        if (h.status() == 2 && h.err().contains("--threads")) {
            notes = "`heap --threads` was refused (" + h.err().strip() + "): the heap proof ran on the heap dump"
                    + " alone.\n";
            h = Cli.run("heap", heapDump.toString(), "--json");
        }
        assertThat(h.status()).as(h.toString()).isIn(0, 1);
        Map<String, Object> proof = Json.object(Json.object(Json.parse(h.out())).get("proof"));
        assertThat(proof.get("refused")).as("the proof ran: " + h.out()).isNull();

        rows = new ArrayList<>();
        for (Scenario s : Corpus.ALL) {
            Found inThreads = findInThreads(threadsDoc, s);
            Found leaked = find(Json.objects(proof.get("leaked")), s, "leaked");
            Found notProven = find(Json.objects(proof.get("notProven")), s, "notProven");
            rows.add(new Row(s, threadsVerdict(s, inThreads), inThreads.places().contains("suspects")
                    || inThreads.deadlock(), heapVerdict(s, leaked, notProven)));
        }
        threads = score("threads", rows.stream().map(Row::threads).toList());
        heap = score("heap", rows.stream().map(Row::heap).toList());
        String table = table();
        System.out.println(table);
        Files.createDirectories(TABLE.getParent());
        Files.writeString(TABLE, table, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ the assertions

    @Test
    void everyLeakIsASuspectOfThreads() {
        assertThat(rows).filteredOn(r -> !r.scenario().control())
                .filteredOn(r -> !r.scenario().expected().equals("forgotten-pool"))
                .allSatisfy(r -> assertThat(r.suspect()).as(r.scenario().id() + " a suspect of threads: "
                        + r.threads().text()).isTrue());
    }

    @Test
    void theHeapProofClaimsNoControl() {
        assertThat(rows).filteredOn(r -> r.scenario().control())
                .allSatisfy(r -> assertThat(r.heap().outcome()).as(r.scenario().id() + " by heap: " + r.heap().text())
                        .isEqualTo(Verdict.NOT_CLAIMED));
    }

    @Test
    void noPatternNamedIsAWrongOne() {
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.threads().outcome()).as(r.scenario().id() + " by threads: " + r.threads().text())
                    .isNotEqualTo(Verdict.WRONG);
            assertThat(r.heap().outcome()).as(r.scenario().id() + " by heap: " + r.heap().text())
                    .isNotEqualTo(Verdict.WRONG);
        });
    }

    @Test
    void everyPatternHasTwoProgramsAndThereAreControls() {
        for (String id : List.of("abandoned-senders", "abandoned-receiver", "abandoned-after-timeout", "lost-future",
                "latch-never-released", "lock-never-released", "orphan-wait", "forgotten-pool", "deadlock")) {
            assertThat(Corpus.ALL).as(id).filteredOn(s -> s.expected().equals(id)).hasSizeGreaterThanOrEqualTo(2);
            assertThat(dev.leakhound.analysis.LeakPattern.byId(id)).as(id + " is in the vocabulary").isNotNull();
        }
        assertThat(Corpus.ALL).filteredOn(Scenario::control).hasSizeGreaterThanOrEqualTo(5);
        assertThat(Corpus.ALL.stream().map(Scenario::id).distinct()).hasSameSizeAs(Corpus.ALL);
    }

    // ------------------------------------------------------------------ the child JVM and its dumps

    /** Runs {@link CorpusMain}, waits for {@code ready}, takes both dumps and kills it, whatever happens. */
    private static void dumpTheChild(Path threadDump, Path heapDump) throws Exception {
        Path out = dir.resolve("child-out.txt");
        Path err = dir.resolve("child-err.txt");
        String cp = codeSource(CorpusMain.class) + java.io.File.pathSeparator + codeSource(ThreadsAt.class);
        Process child = new ProcessBuilder(javaTool("java"), "-Xmx128m", "-XX:+UseSerialGC", "-cp", cp,
                CorpusMain.class.getName()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            String ready = "ready " + Corpus.ALL.size() + "\n";
            await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(50))
                    .until(() -> Files.readString(out).contains(ready) || !child.isAlive());
            assertThat(Files.readString(out)).as("the corpus blocked; stderr:\n" + Files.readString(err))
                    .contains(ready);
            jcmd(child.pid(), dir.resolve("jcmd-threads.log"), "Thread.dump_to_file", "-format=json",
                    threadDump.toString());
            jcmd(child.pid(), dir.resolve("jcmd-heap.log"), "GC.heap_dump", heapDump.toString());
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(threadDump).isRegularFile();
        assertThat(heapDump).isRegularFile();
    }

    private static void jcmd(long pid, Path log, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(javaTool("jcmd"), Long.toString(pid)));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("jcmd finished: " + cmd).isTrue();
            assertThat(p.exitValue()).as(cmd + ":\n" + Files.readString(log)).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    private static String javaTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static String codeSource(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    // ------------------------------------------------------------------ matching groups to scenarios

    /**
     * Where {@code threads --json} shows the scenario: in {@code suspects}, {@code groups} or any other top-level
     * list of groups, and in {@code deadlocks}.
     */
    static Found findInThreads(Map<String, Object> doc, Scenario s) {
        List<Map<String, Object>> groups = new ArrayList<>();
        Set<String> places = new LinkedHashSet<>();
        List<String> patterns = new ArrayList<>();
        boolean deadlock = false;
        for (Map.Entry<String, Object> e : doc.entrySet()) {
            if (!(e.getValue() instanceof List<?> list)) {
                continue;
            }
            for (Object o : list) {
                if (!(o instanceof Map<?, ?>)) {
                    continue;
                }
                Map<String, Object> g = Json.object(o);
                if (e.getKey().equals("deadlocks")) {
                    if (deadlockOf(g, s)) {
                        deadlock = true;
                        places.add("deadlocks");
                        String id = patternId(g);
                        patterns.add(id == null ? "deadlock" : id);
                    }
                } else if (belongs(g, s)) {
                    groups.add(g);
                    places.add(e.getKey());
                    patterns.add(patternId(g));
                }
            }
        }
        return new Found(groups, places, deadlock, patterns);
    }

    static Found find(List<Map<String, Object>> groups, Scenario s, String place) {
        List<Map<String, Object>> mine = groups.stream().filter(g -> belongs(g, s)).toList();
        List<String> patterns = new ArrayList<>();
        mine.forEach(g -> patterns.add(patternId(g)));
        return new Found(mine, mine.isEmpty() ? Set.of() : Set.of(place), false, patterns);
    }

    /** A deadlock entry is the scenario's when one of its threads is: by name, or by a frame it holds or wants at. */
    private static boolean deadlockOf(Map<String, Object> deadlock, Scenario s) {
        if (!(deadlock.get("threads") instanceof List<?> threads)) {
            return false;
        }
        for (Object o : threads) {
            if (o instanceof Map<?, ?> m) {
                Map<String, Object> t = Json.object(m);
                List<String> frames = new ArrayList<>();
                for (String f : List.of("heldAt", "wantsAt")) {
                    if (t.get(f) instanceof String frame) {
                        frames.add(frame);
                    } else if (t.get(f) instanceof List<?> list) {
                        list.forEach(frame -> frames.add(String.valueOf(frame)));
                    }
                }
                if (named(t.get("name"), s) || owner(frames) == s) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A group is the scenario's when the first frame (from the top) of any scenario's class is this scenario's; a
     * group with no such frame (an idle pool's workers) when one of its threads has the scenario's names.
     */
    static boolean belongs(Map<String, Object> group, Scenario s) {
        List<String> frames = new ArrayList<>();
        if (group.get("stack") instanceof List<?> stack) {
            stack.forEach(f -> frames.add(String.valueOf(f)));
        }
        Scenario byFrame = owner(frames);
        if (byFrame != null) {
            return byFrame == s;
        }
        if (group.get("threads") instanceof List<?> threads) {
            for (Object t : threads) {
                Object name = t instanceof Map<?, ?> m ? m.get("name") : t;
                if (named(name, s)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean named(Object name, Scenario s) {
        return name instanceof String n && n.startsWith(s.threadPrefix())
                && n.substring(s.threadPrefix().length()).matches("\\d+");
    }

    /** The scenario of the first frame that belongs to one, from the top; null when none does. */
    static Scenario owner(List<String> frames) {
        for (String f : frames) {
            String cls = frameClass(f);
            for (Scenario s : Corpus.ALL) {
                if (s.owns(cls)) {
                    return s;
                }
            }
        }
        return null;
    }

    /** {@code a.b.C$D.m(C.java:12)} -> {@code a.b.C$D}. */
    static String frameClass(String frame) {
        String f = frame.strip();
        if (f.startsWith("at ")) {
            f = f.substring(3);
        }
        int paren = f.indexOf('(');
        String method = paren < 0 ? f : f.substring(0, paren);
        int dot = method.lastIndexOf('.');
        return dot < 0 ? method : method.substring(0, dot);
    }

    /** {@code pattern.id} as the contract has it (a bare string is read as the id too); null when absent. */
    private static String patternId(Map<String, Object> group) {
        Object p = group.get("pattern");
        if (p instanceof Map<?, ?> m) {
            return m.get("id") instanceof String id ? id : null;
        }
        return p instanceof String id ? id : null;
    }

    // ------------------------------------------------------------------ scoring

    static Verdict threadsVerdict(Scenario s, Found f) {
        String where = String.join(", ", f.places());
        if (s.control()) {
            boolean suspect = f.places().contains("suspects") || f.deadlock();
            return new Verdict(suspect ? "suspect" : f.places().isEmpty() ? "not listed" : "not a suspect",
                    join(where, patternsText(f.patterns())));
        }
        if (f.places().isEmpty()) {
            return new Verdict(Verdict.NOT_FOUND, "");
        }
        if (s.expected().equals("deadlock") && f.deadlock()) {
            return new Verdict(Verdict.RIGHT, join(where, patternsText(f.patterns())));
        }
        return named(s, f.patterns(), where);
    }

    static Verdict heapVerdict(Scenario s, Found leaked, Found notProven) {
        if (s.control()) {
            return leaked.groups().isEmpty()
                    ? new Verdict(Verdict.NOT_CLAIMED, notProven.groups().isEmpty() ? "" : why(notProven))
                    : new Verdict(Verdict.CLAIMED, patternsText(leaked.patterns()));
        }
        if (leaked.groups().isEmpty()) {
            return new Verdict(Verdict.NOT_FOUND, notProven.groups().isEmpty() ? "no group" : why(notProven));
        }
        return named(s, leaked.patterns(), leakedCount(leaked));
    }

    /** Right when every pattern named is the expected one, wrong when any is another, else unclassified. */
    private static Verdict named(Scenario s, List<String> patterns, String where) {
        Set<String> ids = new LinkedHashSet<>();
        patterns.stream().filter(p -> p != null && !p.equals("unclassified")).forEach(ids::add);
        String detail = join(where, patternsText(patterns));
        if (ids.isEmpty()) {
            return new Verdict(Verdict.UNCLASSIFIED, detail);
        }
        return ids.equals(Set.of(s.expected())) ? new Verdict(Verdict.RIGHT, detail) : new Verdict(Verdict.WRONG, detail);
    }

    private static String patternsText(List<String> patterns) {
        Set<String> ids = new LinkedHashSet<>();
        patterns.forEach(p -> ids.add(p == null ? "no pattern" : p));
        return String.join(", ", ids);
    }

    private static String leakedCount(Found leaked) {
        long n = leaked.groups().stream().mapToLong(g -> g.get("count") instanceof Long c ? c : 0).sum();
        return n + " leaked";
    }

    private static String why(Found notProven) {
        Object why = notProven.groups().get(0).get("why");
        String w = why == null ? "not proven" : why.toString();
        return "not proven: " + (w.length() > 80 ? w.substring(0, 77) + "..." : w);
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + ": " + b;
    }

    private static Score score(String tool, List<Verdict> verdicts) {
        int right = 0;
        int wrong = 0;
        int unclassified = 0;
        int notFound = 0;
        for (Verdict v : verdicts) {
            switch (v.outcome()) {
                case Verdict.RIGHT -> right++;
                case Verdict.WRONG -> wrong++;
                case Verdict.UNCLASSIFIED -> unclassified++;
                case Verdict.NOT_FOUND -> notFound++;
                default -> {
                    // a control's verdict
                }
            }
        }
        return new Score(tool, right, wrong, unclassified, notFound);
    }

    private static String table() {
        StringBuilder sb = new StringBuilder("# Pattern corpus: what `threads` and `heap` said\n\n");
        sb.append(notes.isEmpty() ? "" : notes + "\n");
        sb.append("| scenario | threads and primitives | expected | `threads --json` | `heap --json` |\n");
        sb.append("|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append("| ").append(r.scenario().id()).append(" | ").append(r.scenario().kind()).append(" | ")
                    .append(r.scenario().expected()).append(" | ").append(cell(r.threads().text())).append(" | ")
                    .append(cell(r.heap().text())).append(" |\n");
        }
        long leaks = rows.stream().filter(r -> !r.scenario().control()).count();
        long controls = rows.size() - leaks;
        sb.append("\n").append(leaks).append(" leak programs, ").append(controls).append(" controls.\n\n");
        sb.append("| tool | right | wrong | unclassified | not found |\n|---|---|---|---|---|\n");
        for (Score s : List.of(threads, heap)) {
            sb.append("| ").append(s.tool()).append(" | ").append(s.right()).append(" | ").append(s.wrong())
                    .append(" | ").append(s.unclassified()).append(" | ").append(s.notFound()).append(" |\n");
        }
        sb.append("\nControls: ")
                .append(rows.stream().filter(r -> r.scenario().control())
                        .filter(r -> r.threads().outcome().equals("suspect")).count())
                .append(" of ").append(controls).append(" listed as suspects by `threads`, ")
                .append(rows.stream().filter(r -> r.scenario().control())
                        .filter(r -> r.heap().outcome().equals(Verdict.CLAIMED)).count())
                .append(" claimed leaked by `heap`.\n");
        return sb.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
