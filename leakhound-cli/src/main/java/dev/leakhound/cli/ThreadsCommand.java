package dev.leakhound.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.DefaultIgnores;
import dev.leakhound.DumpAnalysis;
import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.Suspects;
import dev.leakhound.analysis.ThreadCounts;
import dev.leakhound.analysis.WaitSite;
import dev.leakhound.capture.ThreadDumpReader;
import dev.leakhound.model.Deadlock;
import dev.leakhound.model.DumpFormat;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.report.DeadlockReport;
import dev.leakhound.report.HtmlPage;
import dev.leakhound.report.JsonReport;
import dev.leakhound.report.TextFormat;
import dev.leakhound.report.TextReport;
import dev.leakhound.report.ThreadPools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;

import static dev.leakhound.report.TextFormat.plural;

/**
 * {@code leakhound threads FILE}: a thread dump, summarised and grouped pprof-style, and its suspects.
 *
 * <p>Exits {@link Main#EXIT_FOUND} when the dump holds a deadlock ({@link Deadlocks}: found from the threads' locks,
 * or reported by the JVM), and with
 * {@code --fail-on-suspects} also when there is a suspect; otherwise 0 whenever the dump could be read. Threads
 * every leak check ignores by default ({@link DefaultIgnores}: the JDK's own, idle carriers and pool workers of
 * the JDK, test runners') are left out and counted unless {@code --all}.
 */
@Command(name = "threads",
        header = "Summarises a thread dump: threads grouped by stack, and the suspects.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = false,
        description = {
                "Reads a thread dump and prints a summary (threads by kind and state, source",
                "format, process, JDK version, time), the deadlocks the JVM found (jstack and",
                "Thread.print report them), then the threads grouped by state, blocker and",
                "stack, largest group first, then the suspects: the groups blocked with no",
                "timeout (WAITING or BLOCKED), which only move on if another thread acts.",
                "A leaked thread is among them. Each group names its leak pattern from what",
                "the dump shows (likely: abandoned-senders, abandoned-receiver,",
                "abandoned-after-timeout, lost-future, latch-never-released,",
                "lock-never-released, orphan-wait, deadlock; or unclassified) and its fix.",
                "Suspects are ranked, most telling first; idle pool workers and JDK daemons",
                "are listed apart, not as suspects.",
                "",
                "Threads every leak check ignores by default are left out and counted: the",
                "JDK's own (Finalizer, Reference Handler, ...), carriers of virtual threads,",
                "idle ForkJoinPool workers, test runners' and Leakhound's; --all lists them.",
                "",
                "Formats, told apart by their content (gzip-compressed too):",
                "  JDK JSON        jcmd <pid> Thread.dump_to_file -format=json FILE",
                "  JDK plain text  jcmd <pid> Thread.dump_to_file FILE",
                "  jstack          jstack <pid>, jcmd <pid> Thread.print: platform threads",
                "                  only, no virtual thread (use the JSON dump for those)",
                "",
                "The dump is read as a stream: past 100,000 threads, each group keeps its first",
                "10 threads (the counts stay exact; --json says \"threadsOmitted\", and blocker",
                "objects and containers are those of the threads listed), so that a dump of",
                "millions of threads needs memory for its groups only.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {
                "  jcmd <pid> Thread.dump_to_file -format=json threads.json",
                "  leakhound threads threads.json",
                "  leakhound threads --fail-on-suspects --suspects-only threads.json",
                "  leakhound threads threads.json --html threads.html",
                "  jstack <pid> | leakhound threads -      (platform threads only)"})
final class ThreadsCommand implements Callable<Integer> {

    /** Width of the field names in the summary. */
    private static final int NAME_WIDTH = 12;

    /** What a jstack / Thread.print dump leaves out. */
    static final String PLATFORM_ONLY = "this format lists platform threads only, no virtual thread;"
            + " for every thread take the JSON dump";

    /** The state of threads whose source does not give it (e.g. JDK 21-24 JSON for virtual threads). */
    private static final String UNKNOWN = "UNKNOWN";

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "FILE",
            description = "The thread dump to read; - reads standard input.")
    String file;

    @Option(names = "--json",
            description = "Print one JSON document {summary, deadlocks, groups, suspects} instead of text.")
    boolean json;

    @Option(names = "--html", paramLabel = "OUT",
            description = "Also write OUT: one self-contained HTML page (summary, deadlocks, suspects, the groups"
                    + " collapsible and searchable) made of the --json document; it makes no request.")
    String html;

    @Option(names = "--all-frames",
            description = "List the JDK's own frames too, instead of folding them into '... N JDK frames'.")
    boolean allFrames;

    @Option(names = "--suspects-only",
            description = "Print the summary and the suspects only, not every group.")
    boolean suspectsOnly;

    @Option(names = "--fail-on-suspects",
            description = "Exit with status 1 when there is a suspect too, not only on a deadlock.")
    boolean failOnSuspects;

    @Option(names = "--all",
            description = "Also list the threads a leak check ignores by default (the JDK's own, carriers,"
                    + " idle ForkJoinPool workers, test runners', Leakhound's), instead of counting them.")
    boolean all;

    /** Where to get a dump with virtual threads, for a process ({@code <pid>} when unknown). */
    static String jsonDumpCommand(Long pid) {
        return "jcmd " + (pid == null ? "<pid>" : pid) + " Thread.dump_to_file -format=json FILE";
    }

    @Override
    public Integer call() throws Exception {
        // The threads are streamed into the grouping, which keeps examples only once there are many: memory
        // follows the groups, not the threads (a JVM can have millions).
        DumpAnalysis analysis = new DumpAnalysis(!all);
        ThreadDump.Header dump = file.equals("-")
                ? ThreadDumpReader.stream(main.stdin(), "<stdin>", analysis)
                : ThreadDumpReader.stream(Main.path(file), analysis);
        DumpAnalysis.Result r = analysis.result(dump.deadlocks());
        List<Deadlock> deadlocks = r.deadlocks();
        List<StackGroup> suspects = r.suspects().suspects().stream().map(Suspects.Suspect::group).toList();
        if (html != null) {
            HtmlFile.write(html, HtmlPage.View.THREADS, "leakhound threads " + dump.origin(),
                    HtmlFile.json(o -> writeJson(o, dump, r)));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            writeJson(out, dump, r);
        } else {
            writeText(out, dump, r);
        }
        out.flush();
        return !deadlocks.isEmpty() || failOnSuspects && !suspects.isEmpty() ? Main.EXIT_FOUND : Main.EXIT_OK;
    }

    /** Counts by state, in the order of {@link Thread.State}, then {@value #UNKNOWN}; states without threads left out. */
    private static Map<String, Long> states(ThreadCounts counts, boolean virtual) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Thread.State state : Thread.State.values()) {
            if (counts.count(virtual, state) > 0) {
                out.put(state.name(), counts.count(virtual, state));
            }
        }
        if (counts.count(virtual, null) > 0) {
            out.put(UNKNOWN, counts.count(virtual, null));
        }
        return out;
    }

    // ---------------------------------------------------------------- text

    private void writeText(PrintWriter out, ThreadDump.Header dump, DumpAnalysis.Result r) {
        ThreadCounts counts = r.counts();
        List<StackGroup> groups = r.groups();
        Suspects ranked = r.suspects();
        Map<StackGroup, PatternMatch> patterns = r.patterns();
        List<Deadlock> deadlocks = r.deadlocks();
        boolean searchIncomplete = r.deadlockSearchIncomplete();
        List<StackGroup> suspects = ranked.suspects().stream().map(Suspects.Suspect::group).toList();
        int suspectThreads = threadCount(suspects);
        out.println("thread dump " + dump.origin());
        field(out, "format", dump.format().description());
        field(out, "process", (dump.processId() == null ? "pid unknown" : "pid " + dump.processId())
                + ", JDK " + (dump.runtimeVersion() == null ? "version unknown" : dump.runtimeVersion()));
        field(out, "taken", dump.capturedAt() == null ? "time unknown" : dump.capturedAt().toString());
        field(out, "threads", counts.total() + ": " + counts.count(false) + " platform, "
                + counts.count(true) + " virtual");
        if (counts.count(false) > 0) {
            field(out, "  platform", statesText(counts, false));
        }
        if (counts.count(true) > 0) {
            field(out, "  virtual", statesText(counts, true));
        }
        if (dump.format() == DumpFormat.JSTACK) {
            field(out, "note", "(" + PLATFORM_ONLY + ": " + jsonDumpCommand(dump.processId()) + ")");
        }
        if (!all) {
            field(out, "ignored", r.ignored() == 0 ? "none"
                    : plural((int) Math.min(Integer.MAX_VALUE, r.ignored()), "thread")
                            + " a leak check ignores by default (the JDK's own, carriers, ...): --all lists them");
        }
        field(out, "deadlocks", deadlocksText(deadlocks, searchIncomplete));
        field(out, "groups", String.valueOf(groups.size()));
        field(out, "suspects", suspects.isEmpty() ? "none"
                : plural(suspects.size(), "group") + ", " + plural(suspectThreads, "thread")
                        + " blocked with no timeout; " + ranked.matching() + " of them "
                        + (ranked.matching() == 1 ? "matches" : "match") + " a leak pattern");
        if (!ranked.idle().isEmpty()) {
            field(out, "idle pools", plural(ranked.idle().size(), "group") + ", "
                    + plural(ranked.idleThreads(), "thread") + " (idle pool workers, JDK daemons): not suspects,"
                    + " listed apart");
        }

        if (!deadlocks.isEmpty()) {
            out.println();
            out.print(DeadlockReport.text(deadlocks).replace("\n== ", "\n\n== "));
        }
        if (!suspectsOnly) {
            out.println();
            out.println("== " + plural(groups.size(), "group") + ", largest first ==");
            for (int i = 0; i < groups.size(); i++) {
                out.println();
                out.print("[" + (i + 1) + "] " + TextReport.group(groups.get(i), patterns.get(groups.get(i)),
                        allFrames));
            }
        }

        out.println();
        if (suspects.isEmpty()) {
            out.println("== no suspects: no thread is blocked without a timeout"
                    + (ranked.idle().isEmpty() ? "" : " but idle pools and JDK daemons") + " ==");
        } else {
            out.println("== suspects: " + plural(suspects.size(), "group") + " (" + plural(suspectThreads, "thread")
                    + ") blocked with no timeout, " + ranked.matching() + " matching a leak pattern;"
                    + " most telling first ==");
            if (suspectsOnly) {
                for (int i = 0; i < suspects.size(); i++) {
                    out.println();
                    out.print("[" + (i + 1) + "] " + TextReport.group(suspects.get(i), patterns.get(suspects.get(i)),
                            allFrames));
                }
            } else {
                // Every suspect is listed in full above: here, one line each with a pointer to it.
                out.println();
                for (StackGroup s : suspects) {
                    shortEntry(out, groups, s);
                    out.print(TextReport.patternLines(patterns.get(s), 7).replaceAll("(?m)^  ", "      "));
                }
            }
        }
        if (!ranked.idle().isEmpty()) {
            out.println();
            out.println("== set apart, not suspects: " + plural(ranked.idle().size(), "group") + " ("
                    + plural(ranked.idleThreads(), "thread") + ") of idle pools and JDK daemons, which wait for work"
                    + " or end with the JVM ==");
            out.println();
            for (Suspects.Idle idle : ranked.idle()) {
                out.println("[" + (indexOf(groups, idle.group()) + 1) + "] " + idle.what() + ": "
                        + TextReport.headline(idle.group()));
                String pools = ThreadPools.text(idle.group());
                if (pools != null) {
                    out.println("      " + (idle.group().idlePoolWorkers() ? "idle workers of " : "") + "pool "
                            + pools);
                }
            }
        }
    }

    /** {@code none}, or {@code 1 (2 threads), exit status 1}. */
    private static String deadlocksText(List<Deadlock> deadlocks, boolean searchIncomplete) {
        String more = searchIncomplete ? " (the search stopped: too many threads waiting for locks)" : "";
        return deadlocks.isEmpty() ? "none" + more
                : deadlocks.size() + " (" + plural(DeadlockReport.threadCount(deadlocks), "thread")
                        + "), exit status 1" + more;
    }

    /** {@code [n] headline}, the blocking line and the pools of a group listed in full above (as its number). */
    private static void shortEntry(PrintWriter out, List<StackGroup> groups, StackGroup s) {
        out.println("[" + (indexOf(groups, s) + 1) + "] " + TextReport.headline(s));
        WaitSite w = s.waitSite();
        if (w.blockingFrame() != null) {
            out.println("      blocked at " + w.blockingFrame());
        }
        String pools = ThreadPools.text(s);
        if (pools != null) {
            out.println("      " + (s.idlePoolWorkers() ? "idle workers of " : "") + "pool " + pools);
        }
    }

    private static int indexOf(List<StackGroup> groups, StackGroup g) {
        for (int i = 0; i < groups.size(); i++) {
            if (groups.get(i) == g) {
                return i;
            }
        }
        return -1;
    }

    private static String statesText(ThreadCounts counts, boolean virtual) {
        StringJoiner sj = new StringJoiner(", ");
        states(counts, virtual).forEach((state, n) -> sj.add((state.equals(UNKNOWN) ? "state unknown" : state) + " " + n));
        return sj.toString();
    }

    private static int threadCount(List<StackGroup> groups) {
        return groups.stream().mapToInt(StackGroup::count).sum();
    }

    // ---------------------------------------------------------------- JSON

    private void writeJson(PrintWriter out, ThreadDump.Header dump, DumpAnalysis.Result r) throws IOException {
        ThreadCounts counts = r.counts();
        List<StackGroup> groups = r.groups();
        Suspects ranked = r.suspects();
        Map<StackGroup, PatternMatch> patterns = r.patterns();
        List<Deadlock> deadlocks = r.deadlocks();
        boolean searchIncomplete = r.deadlockSearchIncomplete();
        List<StackGroup> suspects = ranked.suspects().stream().map(Suspects.Suspect::group).toList();
        try (JsonGenerator g = JsonReport.generator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("summary");
            g.writeStringField("source", dump.origin());
            g.writeStringField("format", dump.format().name());
            g.writeStringField("formatDescription", dump.format().description());
            if (dump.processId() != null) {
                g.writeNumberField("processId", dump.processId());
            }
            if (dump.runtimeVersion() != null) {
                g.writeStringField("runtimeVersion", dump.runtimeVersion());
            }
            if (dump.capturedAt() != null) {
                g.writeStringField("time", dump.capturedAt().toString());
            }
            g.writeNumberField("threads", counts.total());
            g.writeNumberField("platformThreads", counts.count(false));
            g.writeNumberField("virtualThreads", counts.count(true));
            if (dump.format() == DumpFormat.JSTACK) {
                g.writeBooleanField("platformThreadsOnly", true);
                g.writeStringField("note", PLATFORM_ONLY + ": " + jsonDumpCommand(dump.processId()));
            }
            if (!all) {
                g.writeNumberField("ignoredThreads", r.ignored());
            }
            g.writeObjectFieldStart("states");
            writeStates(g, "platform", counts, false);
            writeStates(g, "virtual", counts, true);
            g.writeEndObject();
            g.writeNumberField("groups", groups.size());
            g.writeNumberField("suspectGroups", suspects.size());
            g.writeNumberField("suspectThreads", threadCount(suspects));
            g.writeNumberField("suspectsMatchingPattern", ranked.matching());
            g.writeNumberField("idleGroups", ranked.idle().size());
            g.writeNumberField("idleThreads", ranked.idleThreads());
            g.writeNumberField("deadlocks", deadlocks.size());
            if (searchIncomplete) {
                g.writeBooleanField("deadlockSearchIncomplete", true);
            }
            g.writeEndObject();
            DeadlockReport.writeJson(g, deadlocks);
            if (!suspectsOnly) {
                g.writeFieldName("groups");
                JsonReport.writeGroups(g, groups, patterns::get);
            }
            g.writeFieldName("suspects");                        // most telling first
            JsonReport.writeGroups(g, suspects, patterns::get);
            g.writeArrayFieldStart("idle");                       // set apart: idle pools and JDK daemons
            for (Suspects.Idle idle : ranked.idle()) {
                g.writeStartObject();
                g.writeStringField("what", idle.what());
                g.writeFieldName("group");
                JsonReport.writeGroup(g, idle.group(), patterns.get(idle.group()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        out.println();
    }

    /** {@code "platform": {"RUNNABLE": 6, "WAITING": 3, "UNKNOWN": 1}}: counts by state. */
    private static void writeStates(JsonGenerator g, String field, ThreadCounts counts, boolean virtual)
            throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, Long> e : states(counts, virtual).entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    private static void field(PrintWriter out, String name, String value) {
        out.println(TextFormat.field(name, NAME_WIDTH, value));
    }
}
