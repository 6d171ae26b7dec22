package dev.leakhound.cli;

import dev.leakhound.agent.pprof.PprofEncoder;
import dev.leakhound.heapprofile.HeapProfile;
import dev.leakhound.heapprofile.HeapProfile.Kind;
import dev.leakhound.heapprofile.jfr.JfrProfileBuilder;
import dev.leakhound.heapprofile.jfr.JfrRecording;
import dev.leakhound.heapprofile.report.HeapProfileJson;
import dev.leakhound.heapprofile.report.HeapProfileText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code leakhound jfr FILE}: the heap profile of a JFR recording, memory by the line that allocated it: what was
 * allocated ({@code --kind alloc}) or what is still alive ({@code --kind inuse}), as text, JSON or pprof.
 *
 * <p>A viewer, like {@code gc}: it exits 0 whenever the recording could be read and has the events of the view.
 */
@Command(name = "jfr",
        header = "Reads a JFR recording: allocated or live memory by the line that allocated it.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = false,
        description = {
                "Reads a JFR recording (jcmd PID JFR.dump, -XX:StartFlightRecording) and",
                "prints a heap profile, largest first, like go tool pprof -top: per",
                "allocation stack its bytes (flat), their share, the running sum, the",
                "objects, the allocating line (the first frame that is not the JDK's, and",
                "the JDK frame that allocated when it is another), the class, and where",
                "the allocating threads were started.",
                "  --kind inuse (default): jdk.OldObjectSample, JFR's sample of allocations",
                "    still alive when the recording was dumped (the latest batch), one",
                "    object per sample, with its size and age; the path from a GC root of",
                "    the largest few where the recording has it (path-to-gc-roots=true).",
                "    The view of a leak: the line whose objects pile up.",
                "  --kind alloc: jdk.ObjectAllocationSample, all samples of the recording;",
                "    bytes are the samples' weights (JFR's estimate of what the thread",
                "    allocated since its previous sample); objects are samples (JFR gives",
                "    no object size).",
                "Started at: where jdk.ThreadStart recorded the creator's stack (platform",
                "threads started while recording); JFR records no start of a virtual thread.",
                "Memory is bounded: at most 10,000 distinct stacks per view, the samples of",
                "further ones counted, not shown.",
                "Recording the events:",
                "  jcmd PID JFR.start settings=profile path-to-gc-roots=true",
                "  jcmd PID JFR.dump filename=rec.jfr",
                "  (or java -XX:StartFlightRecording:settings=profile,path-to-gc-roots=true,",
                "  filename=rec.jfr ...; the default settings have jdk.OldObjectSample",
                "  but no root paths, and fewer allocation samples)",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {
                "  leakhound jfr rec.jfr",
                "  leakhound jfr rec.jfr --kind alloc --top 10",
                "  leakhound jfr rec.jfr --pprof inuse.pb.gz; go tool pprof -top inuse.pb.gz",
                "",
                "jfr exits 0 whenever the recording was read; 2 on a file that is not a",
                "whole JFR recording (empty, a directory, other data, cut short or damaged)",
                "or lacks the view's events (the message says how to record them): one",
                "line on standard error, leakhound: FILE: reason."})
final class JfrCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The JFR recording to read (a file: JFR reads it by position).")
    String file;

    @Option(names = "--kind", paramLabel = "alloc|inuse", defaultValue = "inuse",
            description = "inuse (default): sampled objects still alive; alloc: allocations over the recording.")
    String kind;

    @Option(names = "--top", paramLabel = "N", defaultValue = "20",
            description = "Show the N largest sites (default ${DEFAULT-VALUE}); --pprof always has all.")
    int top;

    @Option(names = "--json", description = "Print one JSON document {profile, sites} instead of text.")
    boolean json;

    @Option(names = "--pprof", paramLabel = "OUT",
            description = "Also write OUT: the view as a gzipped pprof profile.proto (alloc_objects/alloc_space"
                    + " or inuse_objects/inuse_space), for go tool pprof and other pprof tools.")
    String pprof;

    @Override
    public Integer call() throws Exception {
        Kind view = switch (kind) {
            case "alloc" -> Kind.ALLOC;
            case "inuse" -> Kind.INUSE;
            default -> throw new Main.BadInputException("--kind must be alloc or inuse: " + kind);
        };
        if (top < 1) {
            throw new Main.BadInputException("--top must be at least 1: " + top);
        }
        if (file.equals("-")) {
            throw new Main.BadInputException("-: a JFR recording must be a file (JFR reads it by position),"
                    + " not standard input");
        }
        Path in = Main.path(file);
        Path out = pprof == null ? null : Main.path(pprof);
        JfrProfileBuilder builder = JfrRecording.read(in, JfrProfileBuilder.Options.DEFAULTS);
        String missing = JfrRecording.missingEvents(builder, view);
        if (missing != null) {
            throw new Main.BadInputException(file + ": " + missing);
        }
        HeapProfile profile = builder.profile(view);
        if (out != null) {
            try (OutputStream o = Files.newOutputStream(out)) {
                PprofEncoder.write(profile, o);
            }
        }
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            HeapProfileJson.write(profile, top, w);
            w.println();
        } else {
            HeapProfileText.write(profile, top, w);
        }
        w.flush();
        return Main.EXIT_OK;
    }
}
