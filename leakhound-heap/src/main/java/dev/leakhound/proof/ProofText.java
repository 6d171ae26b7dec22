package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapFrame;
import dev.leakhound.report.TextFormat;

import java.io.PrintWriter;
import java.util.List;

import static dev.leakhound.report.TextFormat.megabytes;
import static dev.leakhound.report.TextFormat.plural;

/**
 * The proof as text: the section of {@code leakhound heap} (and of the demo's post-mortem step) that lists the leaked
 * groups, each with the call it blocks in (and the application line that made it), its blocker, the pool it works for,
 * retained size, thread names and stack; then the blocked threads that are not provably leaked, with why and what
 * holds them: the path from its root (the static field, the thread's frame, the JNI reference) to what may wake
 * them. At most {@value #MAX_GROUPS} groups of each,
 * {@value #MAX_FRAMES} frames and {@value #MAX_NAMES} distinct names per group.
 */
public final class ProofText {
    private static final int MAX_GROUPS = 20;
    private static final int MAX_FRAMES = 12;
    private static final int MAX_NAMES = 8;
    /** Roots named in the line that says no thread is leaked. */
    private static final int MAX_ROOTS = 3;
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
            out.println("  none: every blocked thread may still be woken" + commonRoot(p.rescued()));
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
            ProofResult.Call call = g.call();
            if (call.call() != null) {
                field(out, "blocked in", call.call());
            }
            if (call.blockedAt() != null) {
                field(out, "blocked at", call.blockedAt().toString());
            }
            if (g.blockerClass() != null) {
                field(out, "waiting on", g.blockerClass());
            }
            if (g.pool() != null) {
                field(out, "pool", pool(g.pool(), g.count(), "; "));
            }
            field(out, "pattern", g.pattern().pattern().id() + " (" + g.pattern().certainty().id() + ": "
                    + g.pattern().evidence() + ")");
            if (g.pattern().pattern().fix() != null) {
                field(out, "fix", g.pattern().pattern().fix());
            }
            if (g.retainedBytes() >= 0) {
                field(out, "retained", megabytes(g.retainedBytes()) + " in " + g.retainedObjects()
                        + " objects that only these threads keep alive" + (first.virtual() ? ", stacks included" : ""));
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
                ProofResult.Call call = r.call();
                out.println("  " + r.count() + " " + words(r.waitKind())
                        + (call.call() == null ? " (no frames)" : " in " + call.call())
                        + (call.blockedAt() == null ? "" : " at " + call.blockedAt())
                        + " " + names(r.threads()) + ": " + r.why());
                if (r.pool() != null) {
                    out.println("      pool " + pool(r.pool(), r.count(), ", "));
                }
                out.println("      pattern " + r.pattern().pattern().id() + " (" + r.pattern().certainty().id()
                        + ": not proven leaked)");
                if (r.path() != null) {
                    path(out, r.path(), "      ");
                }
            }
        }
    }

    /**
     * What holds them, the largest number first: {@code : all are reachable from the static field X.y}, or
     * {@code : 40 are reachable from the static field X.y, 1 from thread "t"'s frame in ...; the others: below}.
     */
    private static String commonRoot(List<ProofResult.Rescued> rescued) {
        java.util.Map<String, Integer> byRoot = new java.util.LinkedHashMap<>();
        int reached = 0;
        int all = 0;
        for (ProofResult.Rescued r : rescued) {
            all += r.count();
            if (r.path() != null && r.path().root() != null) {
                byRoot.merge(r.path().root().words(), r.count(), Integer::sum);
                reached += r.count();
            }
        }
        if (byRoot.isEmpty()) {
            return rescued.isEmpty() ? "" : " (below: why)";
        }
        if (byRoot.size() == 1 && reached == all) {
            return ": " + (all == 1 ? "it is" : "all are") + " reachable from " + byRoot.keySet().iterator().next();
        }
        List<java.util.Map.Entry<String, Integer>> roots = new java.util.ArrayList<>(byRoot.entrySet());
        roots.sort((x, y) -> Integer.compare(y.getValue(), x.getValue()));
        StringBuilder sb = new StringBuilder(": ");
        for (int i = 0; i < Math.min(MAX_ROOTS, roots.size()); i++) {
            var e = roots.get(i);
            sb.append(i == 0 ? "" : ", ").append(e.getValue())
                    .append(i > 0 ? " from " : e.getValue() == 1 ? " is reachable from " : " are reachable from ")
                    .append(e.getKey());
        }
        if (roots.size() > MAX_ROOTS) {
            sb.append(", and from ").append(roots.size() - MAX_ROOTS).append(" other roots");
        }
        return sb.append(reached < all ? "; the others: below" : "").toString();
    }

    /** {@code java.util.concurrent.ThreadPoolExecutor, threads "pool-3-thread-N" x24; nothing live holds it ...}. */
    private static String pool(ProofResult.Pool pool, int threads, String then) {
        StringBuilder sb = new StringBuilder(pool.executorClass());
        if (pool.threadNames() != null) {
            sb.append(", threads \"").append(pool.threadNames()).append('"').append(threads > 1 ? " x" + threads : "");
        }
        if (!pool.live()) {
            sb.append(then).append("nothing live holds it (it was never shut down)");
        } else if (pool.heldBy() != null && pool.heldBy().root() != null) {
            sb.append(then).append("held by ").append(pool.heldBy().root().words());
        } else {
            sb.append(then).append("reachable from something live");
        }
        return sb.toString();
    }

    /** The path root end first, one line per step ({@code xN} for a step made N times in a row). */
    private static void path(PrintWriter out, ProofResult.Path path, String indent) {
        if (path.root() == null) {
            out.println(indent + "path " + (path.limit() == null ? "not traced" : path.limit()));
            return;
        }
        out.println(indent + "reachable from " + path.root().words() + " -> " + path.root().object());
        for (ProofResult.Step step : path.steps()) {
            out.println(indent + "  " + step.via() + " -> " + step.to() + (step.repeat() > 1 ? " x" + step.repeat() : ""));
        }
        if (path.limit() != null) {
            out.println(indent + "  ... " + path.limit());
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
