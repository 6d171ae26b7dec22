package dev.leakhound.hprof.index;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The dump's STRING records (names of classes, fields, methods, source files) in memory, packed: their bytes
 * in 256 KB pages and a {@link LongLongTable} from id to (page, offset, length). About the size of the strings
 * plus 16 bytes each; decoded to {@link String} only when asked.
 */
final class StringPool {
    private static final int PAGE = 1 << 18;            // 256 KB: not humongous for G1

    private final List<byte[]> pages = new ArrayList<>();
    private final LongLongTable table = new LongLongTable();
    private final java.util.Map<Long, String> decoded = new java.util.HashMap<>();
    private byte[] current;
    private int used;

    void add(long id, byte[] utf8) {
        int n = utf8.length;
        byte[] page;
        int off;
        if (n > PAGE / 4) {
            page = utf8;                                    // a page of its own
            pages.add(page);
            off = 0;
        } else {
            if (current == null || used + n > PAGE) {
                current = new byte[PAGE];
                pages.add(current);
                used = 0;
            }
            page = current;
            off = used;
            System.arraycopy(utf8, 0, page, off, n);
            used += n;
        }
        long packed = ((long) (pages.size() - 1) << 44) | ((long) off << 24) | n;
        table.add(id, packed);
    }

    void seal() {
        table.seal();
    }

    /**
     * The string, or {@code null} when the dump has no STRING record of that id; decoded once (the frames of 100k
     * threads ask for the same few names again and again).
     */
    String get(long id) {
        String s = decoded.get(id);
        if (s != null) {
            return s;
        }
        long p = table.get(id, -1);
        if (p < 0) {
            return null;
        }
        byte[] page = pages.get((int) (p >>> 44));
        s = new String(page, (int) ((p >>> 24) & 0xFFFFF), (int) (p & 0xFFFFFF), StandardCharsets.UTF_8);
        decoded.put(id, s);
        return s;
    }

    long count() {
        return table.size();
    }
}
