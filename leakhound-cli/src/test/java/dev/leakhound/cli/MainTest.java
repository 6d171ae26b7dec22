package dev.leakhound.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/** The top command: help, version, usage errors, and the handler that turns any error into one line. */
class MainTest {

    @Test
    void helpListsTheCommandsAndTheExitStatus() {
        Cli.Result r = Cli.run("--help");

        assertThat(r.status()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("Usage: leakhound ")
                .containsPattern("\n  threads +Summarises a thread dump")
                .containsPattern("\n  demo +Runs the seed article's")
                .contains("Exit status:", "  0  all went well", "  1  leaks found", "  2  bad input or usage",
                        "  3  an error inside Leakhound");
        assertThat(Cli.run("help", "demo").out()).startsWith(Cli.run("demo", "--help").out());
    }

    @Test
    void versionComesFromTheBuild() {
        Cli.Result r = Cli.run("--version");

        assertThat(r.status()).isZero();
        assertThat(r.out()).matches("(?s)leakhound \\d+\\.\\d+\\.\\d+\\S*\nJava " + Runtime.version().feature() + ".*\n");
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.Result r = Cli.run();

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines().get(0)).isEqualTo("leakhound: missing command");
        assertThat(r.err()).contains("Usage: leakhound ");
    }

    @Test
    void unknownCommandOrOptionIsAUsageErrorOnOneLine() {
        Cli.Result command = Cli.run("leaks");
        assertThat(command.status()).isEqualTo(2);
        assertThat(command.err()).isEqualTo("leakhound: unknown command 'leaks' (see 'leakhound --help')\n");

        Cli.Result option = Cli.run("--verbose");
        assertThat(option.status()).isEqualTo(2);
        assertThat(option.err()).isEqualTo("leakhound: Unknown option: '--verbose' (see 'leakhound --help')\n");
    }

    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("a bug");
        }
    }

    @Test
    void anUnexpectedErrorIsOneLineWithExitStatusThreeAndTheTraceOnlyWithDebug() {
        for (boolean debug : new boolean[] {false, true}) {
            CommandLine cl = Main.commandLine(new ByteArrayInputStream(new byte[0]));
            cl.addSubcommand(new CommandLine(new Boom()));          // inherits --debug
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));

            int status = debug ? cl.execute("boom", "--debug") : cl.execute("boom");

            assertThat(status).isEqualTo(3);
            assertThat(out.toString()).isEmpty();
            if (debug) {
                assertThat(err.toString()).startsWith("leakhound: internal error: java.lang.IllegalStateException: a bug\n")
                        .contains("\tat dev.leakhound.cli.MainTest$Boom.call(");
            } else {
                assertThat(err.toString()).isEqualTo("leakhound: internal error: java.lang.IllegalStateException: a bug"
                        + " (run again with --debug for the stack trace)\n");
            }
        }
    }
}
