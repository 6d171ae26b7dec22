package dev.leakhound.heapprofile.jfr;

import dev.leakhound.heapprofile.HeapProfile.Kind;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Reads a JFR recording file ({@code jcmd PID JFR.dump}, {@code -XX:StartFlightRecording:filename=...}) into a
 * {@link JfrProfileBuilder}, in two passes: the thread starts first (a file's events are not in time order, and a
 * thread's start must be known before its samples), then the samples. JFR's own reader ({@link RecordingFile}) reads
 * one event at a time; nothing but the builder's aggregates is kept.
 *
 * <p>Whatever breaks becomes a {@link JfrFormatException} whose message is {@code FILE: what broke}: not a JFR
 * file (its first bytes), empty, a directory, cut short or damaged (JFR's reason).
 */
public final class JfrRecording {
    /** JFR's magic number, {@code FLR\0}. */
    private static final byte[] MAGIC = {'F', 'L', 'R', 0};

    private JfrRecording() {
    }

    /** Reads {@code file} with the options given. */
    public static JfrProfileBuilder read(Path file, JfrProfileBuilder.Options options) throws IOException {
        check(file);
        JfrProfileBuilder builder = new JfrProfileBuilder(file.toString(), options);
        pass(file, e -> {
            if (e.getEventType().getName().equals(JfrProfileBuilder.THREAD_START)) {
                builder.accept(e);
            }
        });
        pass(file, e -> {
            if (!e.getEventType().getName().equals(JfrProfileBuilder.THREAD_START)) {
                builder.accept(e);
            }
        });
        return builder;
    }

    /**
     * {@code null} when the builder took the events of the view, else one line that says which events the recording
     * lacks and how to record them.
     */
    public static String missingEvents(JfrProfileBuilder builder, Kind kind) {
        String event = kind == Kind.ALLOC ? JfrProfileBuilder.ALLOCATION_SAMPLE : JfrProfileBuilder.OLD_OBJECT_SAMPLE;
        if (builder.events(event) > 0) {
            return null;
        }
        return "no " + event + " events, which the " + kind.word() + " view is made of; record them with "
                + howToRecord(kind);
    }

    /** The commands that record the events of a view. */
    public static String howToRecord(Kind kind) {
        return kind == Kind.ALLOC
                ? "jcmd PID JFR.start settings=profile (or java -XX:StartFlightRecording:settings=profile,"
                + "filename=rec.jfr ...), then jcmd PID JFR.dump filename=rec.jfr"
                : "jcmd PID JFR.start settings=profile path-to-gc-roots=true, then jcmd PID JFR.dump"
                + " filename=rec.jfr path-to-gc-roots=true (or java -XX:StartFlightRecording:settings=profile,"
                + "path-to-gc-roots=true,filename=rec.jfr ..., written at exit; path-to-gc-roots=true adds the"
                + " paths from GC roots, which cost a walk of the heap when the recording is written)";
    }

    private static void check(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new JfrFormatException(file + ": is a directory, not a JFR recording");
        }
        byte[] head = new byte[MAGIC.length];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n == 0) {
            throw new JfrFormatException(file + ": empty file, not a JFR recording");
        }
        if (n < MAGIC.length || !java.util.Arrays.equals(head, MAGIC)) {
            throw new JfrFormatException(file + ": not a JFR recording (it does not start with JFR's magic FLR\\0)");
        }
    }

    private static void pass(Path file, Consumer<RecordedEvent> consumer) throws IOException {
        long events = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                consumer.accept(recording.readEvent());
                events++;
            }
        } catch (EOFException e) {
            throw new JfrFormatException(file + ": cut short: the recording ends inside a chunk"
                    + (events > 0 ? " after " + events + " events" : "")
                    + " (copy it again once JFR has finished writing it, or dump it with jcmd PID JFR.dump)", e);
        } catch (IOException e) {
            throw new JfrFormatException(file + ": not a readable JFR recording: " + reason(e)
                    + (events > 0 ? " (after " + events + " events)" : ""), e);
        } catch (RuntimeException | InternalError | StackOverflowError e) {
            // JFR's parser throws these on damaged data (bad sizes, unknown types, a cycle in the constant pools)
            throw new JfrFormatException(file + ": damaged JFR recording: " + reason(e)
                    + (events > 0 ? " (after " + events + " events)" : ""), e);
        }
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip().lines().findFirst().orElse(m);
    }
}
