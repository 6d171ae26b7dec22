package dev.leakhound.capture;

import dev.leakhound.model.StackFrame;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shares equal frames, stacks and strings within one dump. Thousands of threads blocked at the same
 * place then cost one stack, and grouping compares lists by identity first. Not thread-safe: one per parse.
 */
final class Interner {
    private final Map<String, StackFrame> frames = new HashMap<>();
    private final Map<List<StackFrame>, List<StackFrame>> stacks = new HashMap<>();
    private final Map<String, String> strings = new HashMap<>();
    private final ArrayList<StackFrame> scratch = new ArrayList<>();

    /** Parses (once per distinct text) and returns the shared frame. */
    StackFrame frame(String text) {
        StackFrame f = frames.get(text);
        if (f == null) {
            f = StackFrame.parse(text);
            frames.put(text, f);
        }
        return f;
    }

    String string(String s) {
        if (s == null) {
            return null;
        }
        String shared = strings.putIfAbsent(s, s);
        return shared == null ? s : shared;
    }

    /** Starts collecting the frames of one stack. */
    void beginStack() {
        scratch.clear();
    }

    void addFrame(StackFrame frame) {
        scratch.add(frame);
    }

    /** The shared immutable list equal to the frames collected since {@link #beginStack()}. */
    List<StackFrame> endStack() {
        List<StackFrame> shared = stacks.get(scratch);
        if (shared == null) {
            shared = List.copyOf(scratch);
            stacks.put(shared, shared);
        }
        return shared;
    }
}
