package dev.leakhound.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.analysis.WaitSite;
import dev.leakhound.capture.ThreadDumpReader;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.report.JsonReport;
import dev.leakhound.report.TextFormat;
import dev.leakhound.report.TextReport;
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
import java.util.function.Consumer;

import static dev.leakhound.report.TextFormat.plural;

/**
 * {@code leakhound threads FILE}: a thread dump, summarised and grouped pprof-style, and its suspects.
 *
 * <p>A viewer: it exits 0 whenever the dump could be read, suspects or not. Almost every JVM has threads
 * blocked with no timeout that are fine (the JDK's {@code Finalizer}, idle pool workers), so their presence
 * alone says nothing a script could act on; {@code leakhound demo} and the leak check decide leaks.
 */
@Command(name = "threads",
        header = "Summarises a thread dump: threads grouped by stack, and the suspects.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = false,
        description = {
                "Reads a thread dump and prints a summary (threads by kind and state, source",
                "format, process, JDK version, time), then the threads grouped by state, blocker",
                "and stack, largest group first, then the suspects: the groups blocked with no",
                "timeout (WAITING or BLOCKED), which only move on if another thread acts.",
                "A leaked thread is among them.",
                "",
                "Formats, told apart by their content (gzip-compressed too):",
                "  JDK JSON        jcmd <pid> Thread.dump_to_file -format=json FILE",
                "  JDK plain text  jcmd <pid> Thread.dump_to_file FILE",
                "  jstack          jstack <pid>, jcmd <pid> Thread.print (platform threads only)",
                "",
                "The dump is read as a stream: past 100,000 threads, each group keeps its first",
                "10 threads (the counts stay exact; --json says \"threadsOmitted\", and blocker",
                "objects and containers are those of the threads listed), so that a dump of",
                "millions of threads needs memory for its groups only.",
                ""},
        footerHeading = "%nExit status:%n",
        footer = {
                "  0  the dump was read, with or without suspects: this command shows, it does",
                "     not judge (most healthy JVMs have threads blocked with no timeout, e.g.",
                "     Finalizer or idle pool workers); read \"suspects\" of --json in scripts",
                "  2  bad input or usage: unknown option, missing or unreadable file, a dump",
                "     that cannot be parsed, or one too large for the JVM's memory (give it",
                "     more with LEAKHOUND_JAVA_OPTS=-Xmx...); one line on standard error:",
                "     leakhound: FILE:LINE[:COLUMN]: reason",
                "  3  an error inside Leakhound itself"})
final class ThreadsCommand implements Callable<Integer> {

    /** Width of the field names in the summary. */
    private static final int NAME_WIDTH = 12;

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
            description = "Print one JSON document {summary, groups, suspects} instead of text.")
    boolean json;

    @Option(names = "--all-frames",
            description = "List the JDK's own frames too, instead of folding them into '... N JDK frames'.")
    boolean allFrames;

    @Option(names = "--suspects-only",
            description = "Print the summary and the suspects only, not every group.")
    boolean suspectsOnly;

    @Override
    public Integer call() throws Exception {
        // The threads are streamed into the grouping, which keeps examples only once there are many: memory
        // follows the groups, not the threads (a JVM can have millions).
        Counts counts = new Counts();
        ThreadGrouping.Accumulator grouping = ThreadGrouping.Accumulator.bounded();
        Consumer<ThreadSnapshot> each = t -> {
            counts.accept(t);
            grouping.accept(t);
        };
        ThreadDump.Header dump = file.equals("-")
                ? ThreadDumpReader.stream(main.stdin(), "<stdin>", each)
                : ThreadDumpReader.stream(Main.path(file), each);
        List<StackGroup> groups = grouping.groups();
        List<StackGroup> suspects = ThreadGrouping.suspects(groups);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            writeJson(out, dump, counts, groups, suspects);
        } else {
            writeText(out, dump, counts, groups, suspects);
        }
        out.flush();
        return Main.EXIT_OK;
    }

    /** How many threads, platform and virtual, by state. */
    private static final class Counts implements Consumer<ThreadSnapshot> {
        private static final Thread.State[] STATES = Thread.State.values();
        /** By state's ordinal, then unknown; [0] platform, [1] virtual. */
        private final int[][] byState = new int[2][STATES.length + 1];

        @Override
        public void accept(ThreadSnapshot t) {
            byState[t.virtual() ? 1 : 0][t.state() == null ? STATES.length : t.state().ordinal()]++;
        }

        long count(boolean virtual) {
            long n = 0;
            for (int c : byState[virtual ? 1 : 0]) {
                n += c;
            }
            return n;
        }

        long total() {
            return count(false) + count(true);
        }

        /** Counts by state, in the order of {@link Thread.State}, then {@value #UNKNOWN}; states without threads left out. */
        Map<String, Integer> states(boolean virtual) {
            int[] c = byState[virtual ? 1 : 0];
            Map<String, Integer> out = new LinkedHashMap<>();
            for (int i = 0; i < c.length; i++) {
                if (c[i] > 0) {
                    out.put(i == STATES.length ? UNKNOWN : STATES[i].name(), c[i]);
                }
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- text

    private void writeText(PrintWriter out, ThreadDump.Header dump, Counts counts, List<StackGroup> groups,
                           List<StackGroup> suspects) {
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
        field(out, "groups", String.valueOf(groups.size()));
        field(out, "suspects", suspects.isEmpty() ? "none"
                : plural(suspects.size(), "group") + ", " + plural(suspectThreads, "thread")
                        + " blocked with no timeout");

        if (!suspectsOnly) {
            out.println();
            out.println("== " + plural(groups.size(), "group") + ", largest first ==");
            for (int i = 0; i < groups.size(); i++) {
                out.println();
                out.print("[" + (i + 1) + "] " + TextReport.group(groups.get(i), allFrames));
            }
        }

        out.println();
        if (suspects.isEmpty()) {
            out.println("== no suspects: no thread is blocked without a timeout ==");
            return;
        }
        out.println("== suspects: " + plural(suspects.size(), "group") + " (" + plural(suspectThreads, "thread")
                + ") blocked with no timeout, largest first ==");
        if (suspectsOnly) {
            for (int i = 0; i < suspects.size(); i++) {
                out.println();
                out.print("[" + (i + 1) + "] " + TextReport.group(suspects.get(i), allFrames));
            }
            return;
        }
        // Every suspect is listed in full above: here, one line each with a pointer to it.
        out.println();
        for (StackGroup s : suspects) {
            out.println("[" + (indexOf(groups, s) + 1) + "] " + TextReport.headline(s));
            WaitSite w = s.waitSite();
            if (w.blockingFrame() != null) {
                out.println("      blocked at " + w.blockingFrame());
            }
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

    private static String statesText(Counts counts, boolean virtual) {
        StringJoiner sj = new StringJoiner(", ");
        counts.states(virtual).forEach((state, n) -> sj.add((state.equals(UNKNOWN) ? "state unknown" : state) + " " + n));
        return sj.toString();
    }

    private static int threadCount(List<StackGroup> groups) {
        return groups.stream().mapToInt(StackGroup::count).sum();
    }

    // ---------------------------------------------------------------- JSON

    private void writeJson(PrintWriter out, ThreadDump.Header dump, Counts counts, List<StackGroup> groups,
                           List<StackGroup> suspects) throws IOException {
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
            g.writeObjectFieldStart("states");
            writeStates(g, "platform", counts, false);
            writeStates(g, "virtual", counts, true);
            g.writeEndObject();
            g.writeNumberField("groups", groups.size());
            g.writeNumberField("suspectGroups", suspects.size());
            g.writeNumberField("suspectThreads", threadCount(suspects));
            g.writeEndObject();
            if (!suspectsOnly) {
                g.writeFieldName("groups");
                JsonReport.writeGroups(g, groups);
            }
            g.writeFieldName("suspects");
            JsonReport.writeGroups(g, suspects);
            g.writeEndObject();
        }
        out.println();
    }

    /** {@code "platform": {"RUNNABLE": 6, "WAITING": 3, "UNKNOWN": 1}}: counts by state. */
    private static void writeStates(JsonGenerator g, String field, Counts counts, boolean virtual)
            throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, Integer> e : counts.states(virtual).entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    private static void field(PrintWriter out, String name, String value) {
        out.println(TextFormat.field(name, NAME_WIDTH, value));
    }
}
