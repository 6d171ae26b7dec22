package dev.leakhound.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** Runs the command line in this JVM, through picocli's {@code CommandLine.execute}, with captured streams. */
public final class Cli {
    private Cli() {
    }

    /** What a run left: its exit status, standard output and standard error. */
    public record Result(int status, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }

        @Override
        public String toString() {
            return "exit status " + status + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
        }
    }

    public static Result run(String... args) {
        return run(new byte[0], args);
    }

    public static Result run(byte[] stdin, String... args) {
        return run(new ByteArrayInputStream(stdin), args);
    }

    public static Result run(InputStream stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(stdin, new PrintWriter(out), new PrintWriter(err), args);
        return new Result(status, out.toString(), err.toString());
    }
}
