package dev.leakhound.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.LongFunction;

/**
 * An input made on the fly, piece by piece, so that a test can read gigabytes without a file or the memory to
 * hold them: {@code pieces.apply(i)} gives the i-th piece of text (UTF-8), {@code null} at the end. Counts the
 * bytes read, so that a test can say how far a reader went before it stopped.
 */
public final class GeneratedInput extends InputStream {
    private final LongFunction<String> pieces;
    private byte[] piece = new byte[0];
    private int pos;
    private long next;
    private long read;
    private boolean ended;

    public GeneratedInput(LongFunction<String> pieces) {
        this.pieces = pieces;
    }

    /** {@code head}, then {@code line} (with its line break) {@code times} times. */
    public static GeneratedInput repeated(String head, String line, long times) {
        String block = line.repeat(1024);
        long blocks = times / 1024;
        String rest = line.repeat((int) (times % 1024));
        return new GeneratedInput(i -> i == 0 ? head : i <= blocks ? block : i == blocks + 1 ? rest : null);
    }

    /** Bytes handed out so far. */
    public long bytesRead() {
        return read;
    }

    private boolean fill() {
        while (pos == piece.length) {
            if (ended) {
                return false;
            }
            String s = pieces.apply(next++);
            if (s == null) {
                ended = true;
                return false;
            }
            piece = s.getBytes(StandardCharsets.UTF_8);
            pos = 0;
        }
        return true;
    }

    @Override
    public int read() {
        if (!fill()) {
            return -1;
        }
        read++;
        return piece[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, piece.length - pos);
        System.arraycopy(piece, pos, b, off, n);
        pos += n;
        read += n;
        return n;
    }
}
