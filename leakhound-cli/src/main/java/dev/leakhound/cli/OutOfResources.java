package dev.leakhound.cli;

import dev.leakhound.io.CountingInputStream;

import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A command that ran out of memory or stack: not a bug of Leakhound but a limit of the JVM that runs it, which the
 * user can raise. Says what ran out, how big the input is and which option gives more, in one line:
 * {@code FILE (446.0 MB): out of memory (Java heap space): the Java heap may grow to 256 MB at most here; give it
 * more, e.g. LEAKHOUND_JAVA_OPTS=-Xmx512m}.
 */
final class OutOfResources {
    /** Options whose value is a file written, not read. */
    private static final Set<String> OUTPUTS = Set.of("--plot");

    /** What is printed when even the message cannot be made. */
    static final String FALLBACK = "leakhound: out of memory: give the JVM more, e.g. LEAKHOUND_JAVA_OPTS=-Xmx4g";

    private OutOfResources() {
    }

    /** The out-of-memory or stack-overflow error in the chain of causes, or {@code null}. */
    static VirtualMachineError find(Throwable t) {
        for (int depth = 0; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof OutOfMemoryError || t instanceof StackOverflowError) {
                return (VirtualMachineError) t;
            }
        }
        return null;
    }

    /**
     * The line (without {@code leakhound: }) for the error, naming the inputs of the command that was run.
     *
     * @param parsed   the command line as parsed, or {@code null}
     * @param stdinRead bytes read from standard input
     */
    static String message(VirtualMachineError e, ParseResult parsed, long stdinRead) {
        String inputs = String.join(", ", inputs(parsed, stdinRead));
        String prefix = inputs.isEmpty() ? "" : inputs + ": ";
        if (e instanceof StackOverflowError) {
            return prefix + "stack overflow: the input nests deeper than the thread's stack allows; give it more, "
                    + "e.g. LEAKHOUND_JAVA_OPTS=-Xss64m";
        }
        String what = e.getMessage() == null ? "" : e.getMessage();
        long max = Runtime.getRuntime().maxMemory();
        boolean heap = what.isEmpty() || what.contains("Java heap") || what.contains("GC overhead")
                || what.contains("array size");
        if (!heap) {
            return prefix + "out of memory (" + what + "): a limit of the JVM or the system, not of the Java heap; "
                    + "raise it (JVM options go in LEAKHOUND_JAVA_OPTS)";
        }
        return prefix + "out of memory" + (what.isEmpty() ? "" : " (" + what + ")") + ": the Java heap may grow to "
                + size(max) + " at most here; give it more, e.g. LEAKHOUND_JAVA_OPTS=" + moreHeap(max);
    }

    /**
     * Whether the error is the JVM's answer to a read of a memory-mapped file's page that is no longer there (the file
     * shrank while mapped: {@code heap} maps its dump); the JVM raises it instead of crashing.
     */
    static boolean isMappedReadFault(InternalError e) {
        return e.getMessage() != null && e.getMessage().contains("unsafe memory access");
    }

    /** The line (without {@code leakhound: }) for a mapped file that changed under the command. */
    static String changedWhileRead(ParseResult parsed, long stdinRead) {
        String inputs = String.join(", ", inputs(parsed, stdinRead));
        return (inputs.isEmpty() ? "" : inputs + ": ") + "the file changed while it was read (it shrank or was"
                + " replaced: a read of its mapped pages failed); read a copy that nothing writes to";
    }

    /**
     * {@code -Xmx} with at least twice the heap's maximum, a power of two of megabytes ({@code maxMemory()} is
     * somewhat less than {@code -Xmx}: {@code -Xmx256m} gives about 247 MB, so {@code -Xmx512m} is suggested).
     */
    static String moreHeap(long maxBytes) {
        long mb = Math.max(64, Long.highestOneBit(Math.max(1, (2 * maxBytes) >> 20) * 2 - 1));
        return mb < 1024 ? "-Xmx" + mb + "m" : "-Xmx" + mb / 1024 + "g";
    }

    /** The files the command reads ({@code -} is standard input), each with its size. */
    private static List<String> inputs(ParseResult parsed, long stdinRead) {
        List<String> out = new ArrayList<>();
        ParseResult pr = parsed;
        while (pr != null && pr.subcommand() != null) {
            pr = pr.subcommand();
        }
        if (pr == null) {
            return out;
        }
        for (ArgSpec arg : pr.matchedArgs()) {
            if (arg instanceof OptionSpec o && OUTPUTS.contains(o.longestName())) {
                continue;
            }
            for (String value : arg.stringValues()) {
                if (value.equals("-")) {
                    out.add("<stdin> (" + size(stdinRead) + " read)");
                    continue;
                }
                try {
                    Path p = Path.of(value);
                    if (Files.isRegularFile(p)) {
                        out.add(value + " (" + size(Files.size(p)) + ")");
                    }
                } catch (RuntimeException | IOException notAFile) {
                    // not a file name: not an input
                }
            }
        }
        return out;
    }

    /** {@code 512 bytes}, {@code 12.3 KB}, {@code 446.0 MB}, {@code 1.2 GB} (binary units). */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

}
