package dev.leakhound.capture;

import dev.leakhound.model.StackFrame;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shares equal frames, stacks and strings within one dump. Thousands of threads blocked at the same
 * place then cost one stack, and grouping compares lists by identity first. Not thread-safe: one per parse.
 *
 * <p>Frames and stacks are kept as long as the parse runs (they are what groups are made of); strings (names,
 * object identities, often one per thread) only up to {@value #MAX_STRINGS} of each table, so that a streamed
 * dump of millions of threads does not keep a copy of every name here.
 */
final class Interner {
    /** Most strings shared by each string table; beyond, new texts are returned unshared. */
    static final int MAX_STRINGS = 1 << 16;

    private final Map<String, StackFrame> frames = new HashMap<>();
    private final Map<List<StackFrame>, List<StackFrame>> stacks = new HashMap<>();
    private final Map<String, String> strings = new HashMap<>();
    private final ArrayList<StackFrame> scratch = new ArrayList<>();
    private String[] table = new String[1024];   // open addressing, for text handed over as chars
    private int tableSize;

    /** Parses (once per distinct text) and returns the shared frame. */
    StackFrame frame(String text) {
        StackFrame f = frames.get(text);
        if (f == null) {
            f = StackFrame.parse(text);
            frames.put(text, f);
        }
        return f;
    }

    /**
     * The shared frame for text given as a range of chars (a streaming parser's buffer): no String is
     * made for text seen before.
     */
    StackFrame frame(char[] buf, int off, int len) {
        return frame(chars(buf, off, len));
    }

    /** The shared String with these chars; a new one only the first time. */
    String chars(char[] buf, int off, int len) {
        int h = 0;
        for (int i = 0; i < len; i++) {
            h = 31 * h + buf[off + i];
        }
        int mask = table.length - 1;
        for (int idx = (h ^ (h >>> 16)) & mask; ; idx = (idx + 1) & mask) {
            String s = table[idx];
            if (s == null) {
                s = new String(buf, off, len);
                if (tableSize < MAX_STRINGS) {
                    table[idx] = s;
                    if (++tableSize * 2 > table.length) {
                        grow();
                    }
                }
                return s;
            }
            if (s.length() == len && s.hashCode() == h && sameChars(s, buf, off, len)) {
                return s;
            }
        }
    }

    private static boolean sameChars(String s, char[] buf, int off, int len) {
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) != buf[off + i]) {
                return false;
            }
        }
        return true;
    }

    private void grow() {
        String[] old = table;
        table = new String[old.length * 2];
        int mask = table.length - 1;
        for (String s : old) {
            if (s != null) {
                int h = s.hashCode();
                int idx = (h ^ (h >>> 16)) & mask;
                while (table[idx] != null) {
                    idx = (idx + 1) & mask;
                }
                table[idx] = s;
            }
        }
    }

    String string(String s) {
        if (s == null) {
            return null;
        }
        String shared = strings.size() < MAX_STRINGS ? strings.putIfAbsent(s, s) : strings.get(s);
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
