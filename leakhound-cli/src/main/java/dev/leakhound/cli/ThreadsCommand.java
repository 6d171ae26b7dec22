package dev.leakhound.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.analysis.WaitSite;
import dev.leakhound.capture.ThreadDumpReader;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.report.JsonReport;
import dev.leakhound.report.TextReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;

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
                ""},
        footerHeading = "%nExit status:%n",
        footer = {
                "  0  the dump was read, with or without suspects: this command shows, it does",
                "     not judge (most healthy JVMs have threads blocked with no timeout, e.g.",
                "     Finalizer or idle pool workers); read \"suspects\" of --json in scripts",
                "  2  bad input or usage: unknown option, missing or unreadable file, a dump",
                "     that cannot be parsed; one line on standard error:",
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
        ThreadDump dump = read();
        List<StackGroup> groups = ThreadGrouping.group(dump.threads());
        List<StackGroup> suspects = ThreadGrouping.suspects(groups);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            writeJson(out, dump, groups, suspects);
        } else {
            writeText(out, dump, groups, suspects);
        }
        out.flush();
        return Main.EXIT_OK;
    }

    private ThreadDump read() throws IOException, Main.BadInputException {
        if (file.equals("-")) {
            return ThreadDumpReader.read(main.stdin(), "<stdin>");
        }
        return ThreadDumpReader.read(Main.path(file));
    }

    // ---------------------------------------------------------------- text

    private void writeText(PrintWriter out, ThreadDump dump, List<StackGroup> groups, List<StackGroup> suspects) {
        int suspectThreads = threadCount(suspects);
        out.println("thread dump " + dump.origin());
        field(out, "format", dump.format().description());
        field(out, "process", (dump.processId() == null ? "pid unknown" : "pid " + dump.processId())
                + ", JDK " + (dump.runtimeVersion() == null ? "version unknown" : dump.runtimeVersion()));
        field(out, "taken", dump.capturedAt() == null ? "time unknown" : dump.capturedAt().toString());
        field(out, "threads", dump.threads().size() + ": " + dump.platformCount() + " platform, "
                + dump.virtualCount() + " virtual");
        if (dump.platformCount() > 0) {
            field(out, "  platform", statesText(dump.threads(), false));
        }
        if (dump.virtualCount() > 0) {
            field(out, "  virtual", statesText(dump.threads(), true));
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

    private static void field(PrintWriter out, String name, String value) {
        StringBuilder sb = new StringBuilder("  ").append(name);
        while (sb.length() < NAME_WIDTH + 2) {
            sb.append(' ');
        }
        out.println(sb.append(' ').append(value));
    }

    private static String statesText(List<ThreadSnapshot> threads, boolean virtual) {
        StringJoiner sj = new StringJoiner(", ");
        states(threads, virtual).forEach((state, n) -> sj.add((state.equals(UNKNOWN) ? "state unknown" : state) + " " + n));
        return sj.toString();
    }

    /** Counts of the platform or the virtual threads by state, in the order of {@link Thread.State}, then {@value #UNKNOWN}. */
    private static Map<String, Integer> states(List<ThreadSnapshot> threads, boolean virtual) {
        Map<Thread.State, Integer> known = new EnumMap<>(Thread.State.class);
        int unknown = 0;
        for (ThreadSnapshot t : threads) {
            if (t.virtual() == virtual) {
                if (t.state() == null) {
                    unknown++;
                } else {
                    known.merge(t.state(), 1, Integer::sum);
                }
            }
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        known.forEach((state, n) -> out.put(state.name(), n));
        if (unknown > 0) {
            out.put(UNKNOWN, unknown);
        }
        return out;
    }

    private static int threadCount(List<StackGroup> groups) {
        return groups.stream().mapToInt(StackGroup::count).sum();
    }

    private static String plural(int n, String word) {
        return n + " " + (n == 1 ? word : word + "s");
    }

    // ---------------------------------------------------------------- JSON

    private void writeJson(PrintWriter out, ThreadDump dump, List<StackGroup> groups, List<StackGroup> suspects)
            throws IOException {
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
            g.writeNumberField("threads", dump.threads().size());
            g.writeNumberField("platformThreads", dump.platformCount());
            g.writeNumberField("virtualThreads", dump.virtualCount());
            g.writeObjectFieldStart("states");
            writeStates(g, "platform", dump.threads(), false);
            writeStates(g, "virtual", dump.threads(), true);
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
    private static void writeStates(JsonGenerator g, String field, List<ThreadSnapshot> threads, boolean virtual)
            throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, Integer> e : states(threads, virtual).entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }
}
