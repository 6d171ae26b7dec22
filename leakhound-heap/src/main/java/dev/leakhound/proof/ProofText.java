package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapFrame;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.model.StackFrame;
import dev.leakhound.report.TextFormat;

import java.io.PrintWriter;
import java.util.List;

import static dev.leakhound.report.TextFormat.megabytes;
import static dev.leakhound.report.TextFormat.plural;

/**
 * The proof as text: the section of {@code leakhound heap} (and of the demo's post-mortem step) that lists the leaked
 * groups, each with where it blocks, its blocker, retained size, thread names and stack, then the blocked threads that
 * are not provably leaked with why and the path to what may wake them. At most {@value #MAX_GROUPS} groups of each,
 * {@value #MAX_FRAMES} frames and {@value #MAX_NAMES} distinct names per group.
 */
public final class ProofText {
    private static final int MAX_GROUPS = 20;
    private static final int MAX_FRAMES = 12;
    private static final int MAX_NAMES = 8;
    /** The width of a field's name: the same as the heap command's other sections. */
    private static final int NAME_WIDTH = 12;

    private ProofText() {
    }

    /** Writes the proof as text. */
    public static void write(PrintWriter out, ProofResult p) {
        if (p.refused() != null) {
            out.println("== leaked threads: nothing can be proven from this dump ==");
            out.println("  " + p.refused());
            return;
        }
        out.println("== leaked threads: " + p.leakedThreads() + " proven leaked, of " + p.candidates()
                + " blocked with no timeout (" + p.threads() + " threads in the dump) ==");
        if (p.leaked().isEmpty()) {
            out.println("  none: every blocked thread can still be reached by a running thread");
        }
        int n = 0;
        for (ProofResult.LeakedGroup g : p.leaked()) {
            if (++n > MAX_GROUPS) {
                out.println("... " + (p.leaked().size() - MAX_GROUPS) + " more groups");
                break;
            }
            WaitingThread first = g.threads().get(0);
            out.println();
            out.println("[" + n + "] " + plural(g.count(), first.virtual() ? "virtual thread" : "platform thread")
                    + " " + words(g.waitKind()) + ", and nothing that runs can reach them or what they wait on");
            HeapFrame at = blockedAt(g.stack());
            if (at != null) {
                field(out, "blocked at", at.toString());
            }
            if (g.blockerClass() != null) {
                field(out, "waiting on", g.blockerClass());
            }
            if (g.retainedBytes() >= 0) {
                field(out, "retained", megabytes(g.retainedBytes()) + " in " + g.retainedObjects()
                        + " objects that only these threads keep alive");
            }
            field(out, "threads", names(g.threads()));
            stack(out, g.stack());
        }
        if (!p.rescued().isEmpty()) {
            out.println();
            out.println("== blocked with no timeout, but not provably leaked ==");
            int m = 0;
            for (ProofResult.Rescued r : p.rescued()) {
                if (++m > MAX_GROUPS) {
                    out.println("... " + (p.rescued().size() - MAX_GROUPS) + " more groups");
                    break;
                }
                HeapFrame at = blockedAt(r.stack());
                out.println("  " + r.count() + " " + words(r.waitKind()) + " at "
                        + (at == null ? "(no frames)" : at) + " " + names(r.threads()) + ": " + r.why());
                if (!r.path().isEmpty()) {
                    out.println("      reachable from " + r.path().get(0));
                    for (String step : r.path().subList(1, r.path().size())) {
                        out.println("        " + step);
                    }
                }
            }
        }
    }

    private static String words(WaitingThread.Wait w) {
        return switch (w) {
            case PARKED -> "parked with no timeout";
            case WAITING -> "in Object.wait() with no timeout";
            case BLOCKED -> "waiting to enter a monitor";
            case OTHER -> "running or waiting with a timeout";
        };
    }

    /** The first frame outside the JDK, where the application blocks; else the top frame. */
    private static HeapFrame blockedAt(List<HeapFrame> stack) {
        for (HeapFrame f : stack) {
            if (!StackFrame.isJdk(null, f.className())) {            // a heap dump's frames name no module
                return f;
            }
        }
        return stack.isEmpty() ? null : stack.get(0);
    }

    /** {@code "worker" x6, "main"}: equal names counted, at most a few distinct ones. */
    private static String names(List<WaitingThread> threads) {
        java.util.Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        for (WaitingThread t : threads) {
            counts.merge(t.label(), 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (java.util.Map.Entry<String, Integer> e : counts.entrySet()) {
            if (i++ == MAX_NAMES) {
                sb.append(", ... ").append(counts.size() - MAX_NAMES).append(" more names");
                break;
            }
            sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(e.getValue() > 1 ? " x" + e.getValue() : "");
        }
        return sb.toString();
    }

    private static void stack(PrintWriter out, List<HeapFrame> frames) {
        out.println("  stack");
        int i = 0;
        for (HeapFrame f : frames) {
            if (i++ == MAX_FRAMES) {
                out.println("      ... " + (frames.size() - MAX_FRAMES) + " more frames");
                break;
            }
            out.println("      " + f);
        }
    }

    private static void field(PrintWriter out, String name, String value) {
        out.println(TextFormat.field(name, NAME_WIDTH, value));
    }
}
