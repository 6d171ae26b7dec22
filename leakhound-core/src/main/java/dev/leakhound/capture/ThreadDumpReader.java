package dev.leakhound.capture;

import dev.leakhound.io.TextLines;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a thread dump file of any format Leakhound knows, telling the format from its first lines:
 * <ul>
 *   <li>the JDK's JSON thread dump (first non-blank character <code>&#123;</code>), read by {@link JsonThreadDumpParser};</li>
 *   <li>the JDK's plain-text thread dump ({@code jcmd PID Thread.dump_to_file FILE}, first lines process id,
 *       time, runtime version, then {@code #23 "name" ...}), read by {@link JdkTextDumpParser};</li>
 *   <li>{@code jstack PID} / {@code jcmd PID Thread.print} ({@code Full thread dump ...}, or
 *       {@code "name" #1 ...}), read by {@link JstackParser}. Its time line ({@code 2024-05-01 10:11:12}) is the
 *       dumped JVM's local time without a zone: it is read in this JVM's default zone (run with
 *       {@code -Duser.timezone=...} or {@code TZ=...} to read a dump taken in another).</li>
 * </ul>
 * Gzip-compressed files ({@code .gz}, recognised by their magic bytes, not their name) are read transparently.
 *
 * <p>Broken or hostile input fails with a {@link ThreadDumpParseException} naming the file and line (and
 * column, for JSON where known), not with another exception or a hang: every parser runs in time linear in
 * its input. Text lines longer than {@value #MAX_LINE_CHARS} characters, binary data, JSON strings over
 * 1 MiB, JSON nested deeper than the format, more than {@value #MAX_THREADS} threads in one dump, more
 * than {@value #MAX_FRAMES} frames in one thread and more than {@value #MAX_BLANK_LINES} blank lines in a row (what a
 * gzip bomb of newlines is made of: 10 GB gzip to 10 MB) are refused.
 *
 * <p>Memory: everything is read as a stream and equal frames, stacks and strings are shared, so memory does
 * not follow the file size as such. {@link #read(Path)} keeps every thread: each costs on the order of a hundred
 * bytes, plus its distinct name, frames and stack, so a dump of millions of threads needs hundreds of megabytes.
 * {@link #stream(Path, Consumer)} keeps none: it hands each thread over as soon as it is read, so that memory
 * follows what the consumer keeps (e.g. {@code ThreadGrouping.Accumulator.bounded()} of the analysis: the
 * groups) plus the distinct frames and stacks, and for JSON 8 to 16 bytes per thread id (to drop a thread
 * listed twice). A hostile file (gzip makes it small) whose threads all have different stacks still makes
 * as many groups; read untrusted dumps in a process whose heap may run out.
 */
public final class ThreadDumpReader {

    /** Longest text line accepted. No frame or thread name comes near it. */
    static final int MAX_LINE_CHARS = 1 << 20;

    /** Most blank lines in a row in a text dump: the JDK writes one or two between threads. */
    static final int MAX_BLANK_LINES = 100_000;

    /**
     * Most threads read from one dump, by every parser; a dump with more is refused. Far above any real JVM's
     * platform threads, it still allows a dump of a JVM running millions of virtual threads.
     */
    static final int MAX_THREADS = 5_000_000;

    /**
     * Most frames read for one thread, by every parser; a thread with more is refused. A thread that overflows
     * a default-sized (1 MiB) stack has some tens of thousands.
     */
    static final int MAX_FRAMES = 100_000;

    /** The limits the parsers enforce: {@link #DEFAULT} except in tests. */
    record Limits(int maxThreads, int maxFrames) {
        static final Limits DEFAULT = new Limits(MAX_THREADS, MAX_FRAMES);
    }

    /** How much is looked at to tell the format. */
    private static final int PEEK_BYTES = 64 * 1024;

    private static final Pattern JCMD_PREFIX = Pattern.compile("\\d+:");
    private static final Pattern PID_LINE = Pattern.compile("-?\\d+");
    private static final Pattern INSTANT_LINE = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\S*");
    private static final Pattern JSTACK_TIME_LINE = Pattern.compile("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d.*");
    private static final Pattern JDK_TEXT_HEADER = Pattern.compile("#\\d+ \".*", Pattern.DOTALL);

    private ThreadDumpReader() {
    }

    /**
     * Reads a thread dump file, plain or gzip-compressed.
     *
     * @throws ThreadDumpParseException if the file is missing, empty, of no known format, truncated or corrupt;
     *                                  the message names the file and, where it applies, the line
     * @throws IOException              if reading fails for another reason
     */
    public static ThreadDump read(Path file) throws IOException {
        List<ThreadSnapshot> threads = new ArrayList<>();
        return new ThreadDump(stream(file, threads::add), threads);
    }

    /**
     * Reads a thread dump file, plain or gzip-compressed, handing each thread to {@code each} as soon as it is
     * read, in the order of the file, and keeping none: for dumps too large to hold (millions of threads).
     * Threads before an error have been handed over.
     *
     * @return the dump's time, origin, format, process id and runtime version
     * @throws ThreadDumpParseException as {@link #read(Path)}
     * @throws IOException              if reading fails for another reason
     */
    public static ThreadDump.Header stream(Path file, Consumer<? super ThreadSnapshot> each) throws IOException {
        String origin = file.toString();
        if (Files.isDirectory(file)) {
            throw new ThreadDumpParseException(origin, 0, 0, "is a directory, not a thread dump file");
        }
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new ThreadDumpParseException(origin, 0, 0, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new ThreadDumpParseException(origin, 0, 0, "cannot read the file: permission denied", e);
        }
        try (InputStream in = raw) {
            return stream(in, origin, each);
        }
    }

    /**
     * Reads a thread dump from a stream (e.g. standard input), plain or gzip-compressed.
     *
     * @param in     the dump; read to its end (or to the error), not closed
     * @param origin names the source in errors and in {@link ThreadDump#origin()}, e.g. {@code <stdin>}
     * @throws ThreadDumpParseException if the input is empty, of no known format, truncated or corrupt
     * @throws IOException              if reading fails for another reason
     */
    public static ThreadDump read(InputStream in, String origin) throws IOException {
        return read(in, origin, Limits.DEFAULT);
    }

    /**
     * Reads a thread dump from a stream as {@link #stream(Path, Consumer)} does.
     *
     * @param in     the dump; read to its end (or to the error), not closed
     * @param origin names the source in errors and in the header, e.g. {@code <stdin>}
     */
    public static ThreadDump.Header stream(InputStream in, String origin, Consumer<? super ThreadSnapshot> each)
            throws IOException {
        return stream(in, origin, Limits.DEFAULT, each);
    }

    static ThreadDump read(InputStream in, String origin, Limits limits) throws IOException {
        List<ThreadSnapshot> threads = new ArrayList<>();
        return new ThreadDump(stream(in, origin, limits, threads::add), threads);
    }

    static ThreadDump.Header stream(InputStream in, String origin, Limits limits, Consumer<? super ThreadSnapshot> each)
            throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = b0 < 0 ? -1 : buffered.read();
        buffered.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;

        LineCountingInputStream counted = null;
        try {
            InputStream data = buffered;
            if (gzip) {
                counted = new LineCountingInputStream(new GZIPInputStream(buffered, 1 << 16));
                data = new BufferedInputStream(counted, PEEK_BYTES * 2);
            }
            data.mark(PEEK_BYTES);
            byte[] peek = data.readNBytes(PEEK_BYTES);
            data.reset();
            return switch (detect(peek, origin)) {
                case JSON -> json(data, origin, limits, each);
                case JDK_TEXT -> JdkTextDumpParser.stream(data, origin, limits, each);
                case JSTACK -> JstackParser.stream(data, origin, ZoneId.systemDefault(), limits, each);
            };
        } catch (ThreadDumpParseException e) {
            throw e;
        } catch (ZipException | EOFException e) {
            if (!gzip) {
                throw e;
            }
            long line = counted == null ? 1 : counted.lines() + 1;
            String what = e instanceof EOFException ? "truncated gzip data" : "corrupt gzip data";
            throw new ThreadDumpParseException(origin, line, 0,
                    what + " (" + e.getMessage() + "); the text ends in this line", e);
        }
    }

    private enum Kind { JSON, JDK_TEXT, JSTACK }

    /**
     * The JSON parser cannot say where some limits (string length, nesting depth) were hit; then the line
     * its reading had reached is given, which is the very line for a long string (JSON strings have no line
     * breaks) and at most a buffer's worth of text past the place for deep nesting.
     */
    private static ThreadDump.Header json(InputStream data, String origin, Limits limits,
                                          Consumer<? super ThreadSnapshot> each) throws IOException {
        LineCountingInputStream counted = new LineCountingInputStream(data);
        try {
            return JsonThreadDumpParser.stream(counted, origin, limits, each);
        } catch (ThreadDumpParseException e) {
            if (e.line() > 0) {
                throw e;
            }
            throw new ThreadDumpParseException(origin, counted.lines() + 1, 0, e.reason(), e);
        }
    }

    /** Tells the format from the first bytes, or fails with the line that is of no known format. */
    private static Kind detect(byte[] peek, String origin) throws ThreadDumpParseException {
        int start = 0;
        if (peek.length >= 3 && (peek[0] & 0xff) == 0xef && (peek[1] & 0xff) == 0xbb && (peek[2] & 0xff) == 0xbf) {
            start = 3;                                                  // UTF-8 byte order mark
        }
        long line = 1;
        int firstNonBlank = -1;
        for (int i = start; i < peek.length; i++) {
            int b = peek[i] & 0xff;
            if (b == '\n') {
                line++;
            } else if (isBinary(b)) {
                throw new ThreadDumpParseException(origin, line, 0,
                        "binary data (byte 0x" + Integer.toHexString(b) + " at offset " + i
                                + "): not a thread dump; expected JDK JSON, JDK plain text or jstack output");
            } else if (firstNonBlank < 0 && !Character.isWhitespace(b)) {
                firstNonBlank = i;
            }
        }
        if (firstNonBlank < 0) {
            throw new ThreadDumpParseException(origin, peek.length == start ? 1 : line, 0,
                    peek.length == start ? "empty file: no thread dump in it" : "only blank lines: no thread dump in it");
        }
        if (peek[firstNonBlank] == '{') {
            return Kind.JSON;
        }

        String text = new String(peek, start, peek.length - start, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        boolean complete = peek.length < PEEK_BYTES;     // else the last split piece may be cut
        boolean sawPid = false;
        int nonBlank = 0;
        for (int i = 0; i < lines.length && nonBlank < 12; i++) {
            if (i == lines.length - 1 && !complete) {
                break;
            }
            String l = lines[i].strip();
            if (l.isEmpty()) {
                continue;
            }
            nonBlank++;
            if (nonBlank == 1 && JCMD_PREFIX.matcher(l).matches()) {
                continue;                                              // "12345:" printed by jcmd
            }
            if (JDK_TEXT_HEADER.matcher(l).matches()) {
                return Kind.JDK_TEXT;
            }
            if (l.startsWith("\"") || l.startsWith("Full thread dump")) {
                return Kind.JSTACK;
            }
            if (!sawPid && PID_LINE.matcher(l).matches()) {
                sawPid = true;
                continue;
            }
            if (sawPid && INSTANT_LINE.matcher(l).matches()) {
                return Kind.JDK_TEXT;
            }
            if (JSTACK_TIME_LINE.matcher(l).matches()) {
                continue;
            }
            // Something else first, e.g. log lines before a dump a JVM printed on SIGQUIT.
            if (text.contains("\nFull thread dump ")) {
                return Kind.JSTACK;
            }
            throw unknown(origin, i + 1, l);
        }
        if (text.contains("\nFull thread dump ")) {
            return Kind.JSTACK;
        }
        throw new ThreadDumpParseException(origin, 1, 0, lines.length <= 1 && !complete
                ? "unknown format: the first line is longer than " + PEEK_BYTES
                        + " bytes; expected JDK JSON, JDK plain text or jstack output"
                : "unknown format: expected JDK JSON, JDK plain text or jstack output");
    }

    private static ThreadDumpParseException unknown(String origin, long line, String text) {
        String shown = text.length() <= 60 ? text : text.substring(0, 57) + "...";
        return new ThreadDumpParseException(origin, line, 0, "unknown format: expected JDK JSON, JDK plain text or "
                + "jstack output, found \"" + shown + "\"");
    }

    /** Control bytes that no text dump contains (tab, newlines, form feed and escape allowed). */
    private static boolean isBinary(int b) {
        return b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x1b || b == 0x7f;
    }

    /** Counts the newline bytes that pass, to say in which line decompression broke. */
    private static final class LineCountingInputStream extends FilterInputStream {
        private long lines;

        LineCountingInputStream(InputStream in) {
            super(in);
        }

        long lines() {
            return lines;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b == '\n') {
                lines++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            for (int i = 0; i < n; i++) {
                if (b[off + i] == '\n') {
                    lines++;
                }
            }
            return n;
        }
    }

    /**
     * The lines of a text dump, each at most {@link #MAX_LINE_CHARS} long, without line terminators
     * ({@code \n} or {@code \r\n}). Used by the text parsers; refuses NUL characters (binary data).
     */
    static final class Lines extends TextLines {
        private final String origin;

        private long blankRun;

        Lines(InputStream in, String origin) {
            super(in, MAX_LINE_CHARS);
            this.origin = origin;
        }

        @Override
        public String next() throws IOException {
            String line = super.next();
            if (line == null || !line.isBlank()) {
                blankRun = 0;
            } else if (++blankRun > MAX_BLANK_LINES) {
                throw new ThreadDumpParseException(origin, lineNumber(), 0, blankRun + " blank lines in a row (from "
                        + "line " + (lineNumber() - blankRun + 1) + "): not a thread dump, or corrupt");
            }
            return line;
        }

        @Override
        protected boolean isBinary(char c) {
            return c == 0;
        }

        @Override
        protected IOException binaryData(long line, int column, char c) {
            return new ThreadDumpParseException(origin, line, column,
                    "binary data (a NUL character): not a text thread dump, or corrupt");
        }

        @Override
        protected IOException tooLong(long line, int maxLineChars) {
            return new ThreadDumpParseException(origin, line, 0,
                    "line longer than " + maxLineChars + " characters: not a thread dump, or corrupt");
        }
    }
}
