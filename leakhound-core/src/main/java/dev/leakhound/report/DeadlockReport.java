package dev.leakhound.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.leakhound.analysis.Deadlocks;
import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.model.Deadlock;
import dev.leakhound.model.StackFrame;

import java.io.IOException;
import java.util.List;

/**
 * How every output shows a deadlock (the {@code threads} command, the leak check, the agent's pages): the cycle,
 * for each thread the lock it holds and the lock it wants with the application lines, its pattern and fix.
 */
public final class DeadlockReport {
    private static final int NAME_WIDTH = 8;

    private DeadlockReport() {
    }

    /**
     * The deadlocks as text, each a block:
     * <pre>
     * == deadlock 1 of 1: 2 threads, each holding a lock the next one wants ==
     *   #23 "s1" (virtual thread)
     *     holds java.lang.Object@7974976, taken at Dl.lambda$main$0(Dl.java:11)
     *     wants java.lang.Object@6feeddc4, waiting at Dl.lambda$main$0(Dl.java:11)
     *   ...
     *   pattern: deadlock (likely: 2 threads, each holding a monitor the next wants)
     *   fix:     take the locks in one order, or tryLock with a timeout
     * </pre>
     * Empty for no deadlocks; each block ends with a line break.
     */
    public static String text(List<Deadlock> deadlocks) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < deadlocks.size(); i++) {
            Deadlock d = deadlocks.get(i);
            sb.append("== deadlock ").append(i + 1).append(" of ").append(deadlocks.size()).append(": ")
              .append(TextFormat.plural(d.links().size(), "thread")).append(", each holding a lock the next one wants")
              .append(d.printedByJvm() ? " (the JVM reported it too)" : "").append(" ==\n");
            for (Deadlock.Link l : d.links()) {
                sb.append("  ").append(l.label()).append(" (").append(l.virtual() ? "virtual" : "platform")
                  .append(" thread)\n");
                sb.append("    holds ").append(l.holds() == null ? "(not known)" : l.holds())
                  .append(at(", taken at ", l.heldAt(), l.holds() == null ? "" : ", taken at a line not recorded"))
                  .append('\n');
                sb.append("    wants ").append(l.wants()).append(at(", waiting at ", l.wantsAt(), "")).append('\n');
            }
            PatternMatch p = Deadlocks.pattern(d);
            sb.append(TextFormat.field("pattern:", NAME_WIDTH, p.pattern().id() + " (" + p.certainty().id() + ": "
                    + p.evidence() + ")")).append('\n');
            sb.append(TextFormat.field("fix:", NAME_WIDTH, p.pattern().fix())).append('\n');
        }
        return sb.toString();
    }

    private static String at(String words, StackFrame f, String unknown) {
        return f == null ? unknown : words + f;
    }

    /**
     * Writes the field {@code "deadlocks": [{"pattern": {...}, "printedByJvm": bool, "threads": [{"tid", "name",
     * "virtual", "holds", "wants", "heldAt", "wantsAt"}]}]}; unknown values are {@code null} ({@code tid} of a
     * thread only the JVM's report named, {@code heldAt} of a {@code java.util.concurrent} lock).
     */
    public static void writeJson(JsonGenerator g, List<Deadlock> deadlocks) throws IOException {
        g.writeArrayFieldStart("deadlocks");
        for (Deadlock d : deadlocks) {
            g.writeStartObject();
            JsonReport.writePattern(g, Deadlocks.pattern(d));
            g.writeBooleanField("printedByJvm", d.printedByJvm());
            g.writeArrayFieldStart("threads");
            for (Deadlock.Link l : d.links()) {
                g.writeStartObject();
                if (l.tid() == null) {
                    g.writeNullField("tid");
                } else {
                    g.writeNumberField("tid", l.tid());
                }
                g.writeStringField("name", l.name());
                g.writeBooleanField("virtual", l.virtual());
                g.writeStringField("holds", l.holds());
                g.writeStringField("wants", l.wants());
                g.writeStringField("heldAt", l.heldAt() == null ? null : l.heldAt().toString());
                g.writeStringField("wantsAt", l.wantsAt() == null ? null : l.wantsAt().toString());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }


    /** How many threads are in these deadlocks. */
    public static int threadCount(List<Deadlock> deadlocks) {
        return deadlocks.stream().mapToInt(d -> d.links().size()).sum();
    }
}
