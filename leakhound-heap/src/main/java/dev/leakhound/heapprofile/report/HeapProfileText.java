package dev.leakhound.heapprofile.report;

import dev.leakhound.heapprofile.HeapProfile;
import dev.leakhound.heapprofile.HeapProfile.Kind;
import dev.leakhound.heapprofile.ProfileSite;
import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * A heap profile as text, largest first, like {@code go tool pprof -top}: per site its bytes ({@code flat}), their
 * share of the whole and the running sum, the objects, the allocating line (and the innermost frame when that is
 * the JDK's), the class, and where its threads were started; for the inuse view, the oldest object's age and, for
 * the first {@link #ROOT_PATHS} sites that have one, the path from a GC root.
 */
public final class HeapProfileText {
    /** Sites of the inuse view whose root path is printed. */
    public static final int ROOT_PATHS = 5;

    private HeapProfileText() {
    }

    /** Writes the first {@code top} sites of the profile. */
    public static void write(HeapProfile p, int top, PrintWriter out) {
        out.println(header(p));
        if (p.kind() == Kind.ALLOC) {
            out.println("  (objects: samples; JFR's allocation sample gives no object size, each one stands for the"
                    + " bytes its thread allocated since its previous sample)");
        } else {
            out.println("  (JFR's old-object sample: a sample of the allocations, those still alive when it was"
                    + " written; not the whole heap)");
        }
        if (p.dropped().samples() > 0) {
            out.println("  (" + p.dropped().samples() + " samples, " + bytes(p.dropped().bytes())
                    + ", of stacks past the first " + p.maxSites() + " distinct ones: counted, not shown)");
        }
        if (p.truncatedStacks() > 0) {
            out.println("  (" + p.truncatedStacks() + " samples with stacks cut at JFR's stack depth: raise it with"
                    + " -XX:FlightRecorderOptions:stackdepth=N)");
        }
        if (p.sites().isEmpty()) {
            out.println("no samples");
            return;
        }
        out.printf(Locale.ROOT, "%10s %6s %6s %9s  %s%n", "flat", "flat%", "sum%",
                p.kind() == Kind.ALLOC ? "samples" : "objects", "allocated at");
        long sum = 0;
        int shown = 0;
        int paths = 0;
        for (ProfileSite s : p.top(top)) {
            sum += s.bytes();
            out.printf(Locale.ROOT, "%10s %5.1f%% %5.1f%% %9d  %s%n", bytes(s.bytes()), percent(s.bytes(), p.bytes()),
                    percent(sum, p.bytes()), s.objects(), line(s));
            String details = details(s, p.kind());
            if (!details.isEmpty()) {
                out.println("                                    " + details);
            }
            if (p.kind() == Kind.INUSE && !s.rootPath().isEmpty() && paths < ROOT_PATHS) {
                paths++;
                out.println("                                    path from a GC root: "
                        + String.join(" -> ", s.rootPath()));
            }
            shown++;
        }
        if (shown < p.sites().size()) {
            out.println("and " + (p.sites().size() - shown) + " more sites (--top N shows more)");
        }
    }

    /** {@code heap profile (inuse) of FILE: ...}: the view, where from, how much over what time. */
    public static String header(HeapProfile p) {
        String what = p.kind() == Kind.ALLOC
                ? p.samples() + " allocation samples, " + bytes(p.bytes()) + " allocated"
                + (p.from() != null && p.to() != null ? " over " + seconds(p.span()) + " (" + p.from() + " to "
                + p.to() + ")" : "")
                : p.objects() + " sampled objects alive, " + bytes(p.bytes())
                + (p.to() != null ? ", as of " + p.to() : "");
        return "heap profile (" + p.kind().word() + ") of " + p.source() + ": " + what + ", " + p.sites().size()
                + " sites";
    }

    /** The allocating line, e.g. {@code Leak.run:12}, and the innermost frame when it is another. */
    public static String line(ProfileSite s) {
        StackFrame at = s.allocatingFrame();
        if (at == null) {
            return "(no stack)";
        }
        String text = frame(at);
        if (at != s.top()) {
            text += " (in " + frame(s.top()) + ")";
        }
        return text;
    }

    /** {@code dev.example.Leak.run:12}: JFR gives the line, not the source file. */
    public static String frame(StackFrame f) {
        return f.className() + "." + f.methodName() + (f.lineNumber() > 0 ? ":" + f.lineNumber() : "");
    }

    /** Where the threads were started, in words. */
    public static String startedAt(ProfileSite s) {
        CreationSite c = s.startedAt();
        if (c != null && c.startingFrame() != null) {
            return "started at " + frame(c.startingFrame());
        }
        return switch (s.threadKind()) {
            case "virtual" -> "virtual threads (JFR records no start site of a virtual thread)";
            case "mixed" -> "virtual and platform threads, start site unknown";
            default -> "start site unknown (a thread started before the recording)";
        };
    }

    private static String details(ProfileSite s, Kind kind) {
        StringBuilder b = new StringBuilder();
        if (s.mainType() != null) {
            b.append(s.mainType());
            if (s.types().size() > 1) {
                b.append(" and ").append(s.types().size() - 1).append(" more types");
            }
        }
        if (kind == Kind.INUSE && s.oldestAge() != null) {
            b.append(b.isEmpty() ? "" : "; ").append("oldest ").append(seconds(s.oldestAge()));
        }
        b.append(b.isEmpty() ? "" : "; ").append(startedAt(s));
        if (s.truncated()) {
            b.append("; stack cut by JFR");
        }
        return b.toString();
    }

    static double percent(long part, long whole) {
        return whole <= 0 ? 0 : 100.0 * part / whole;
    }

    /** {@code 256 kB}, {@code 12.5 MB}: 1024-based, as pprof prints them. */
    public static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        double v = b;
        String[] units = {"kB", "MB", "GB", "TB"};
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[i]);
    }

    private static String seconds(Duration d) {
        double s = d.toNanos() / 1e9;
        return s < 1 ? String.format(Locale.ROOT, "%.0f ms", s * 1000) : String.format(Locale.ROOT, "%.1f s", s);
    }
}
