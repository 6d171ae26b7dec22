package dev.leakhound.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model;
import picocli.CommandLine.Command;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
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
                .containsPattern("\n  demo +Runs two leaky programs, and their fixes")
                .contains("Exit status:", "  0   nothing found", "  1   found", "  2   bad input or usage",
                        "  3   an error inside Leakhound");
        assertThat(Cli.run("help", "demo").out()).startsWith(Cli.run("demo", "--help").out());
    }

    /** The commands other than the top one: threads, heap, gc, attach, demo. */
    private static List<String> commands() {
        return Main.commandLine(System.in).getSubcommands().keySet().stream().filter(c -> !c.equals("help")).toList();
    }

    /**
     * A run of one command builds only that command's model; the table it is found in has each command under the name
     * its annotation gives, so that no command is reachable by one name alone.
     */
    @Test
    void aRunOfOneCommandAddsOnlyThatOne() {
        Main.COMMANDS.forEach((name, type) ->
                assertThat(type.getAnnotation(Command.class).name()).as(name).isEqualTo(name));
        assertThat(Main.commandLine(System.in, "gc", "x.log").getSubcommands().keySet()).containsExactly("gc");
        assertThat(Main.commandLine(System.in, "help", "gc").getSubcommands().keySet())
                .containsExactlyElementsOf(Main.COMMANDS.keySet());
        assertThat(Main.commandLine(System.in, "--debug", "gc").getSubcommands()).hasSize(Main.COMMANDS.size());
        assertThat(Cli.run("gx").err()).contains("unknown command 'gx'");
    }

    /** The exit status table, written once, in the top help and every command's, with the same words. */
    @Test
    void everyHelpHasTheOneExitStatusTable() {
        String top = Cli.run("--help").out();
        String table = top.substring(top.indexOf("Exit status:"), top.indexOf("Examples:"));
        assertThat(table).contains("\n  0   nothing found", "\n  1   found: threads: a deadlock",
                "\n  2   bad input or usage", "\n  3   an error inside Leakhound itself");
        assertThat(table.replaceAll("\\s+", " ")).contains("with --fail-on-suspects any suspect",
                "heap: a proven leaked thread;",
                "demo: a leak it expected to show did not come out as expected");
        assertThat(commands()).contains("threads", "heap", "gc", "attach", "demo");
        for (String meaning : Main.EXIT_CODES.values()) {
            assertThat(table.replaceAll("\\s+", " ")).as("wrapped at spaces only").contains(meaning);
        }
        for (String command : commands()) {
            String help = Cli.run(command, "--help").out();
            assertThat(help).as(command).contains(table);
            assertThat(help.split("Exit status", -1)).as(command + ": one table").hasSize(2);
        }
    }

    /** -V and --version of every command print the version, as the top command's do. */
    @Test
    void everyCommandPrintsTheVersion() {
        String version = Cli.run("--version").out();
        assertThat(version).startsWith("leakhound ");
        for (String command : commands()) {
            for (String option : List.of("-V", "--version")) {
                Cli.Result r = Cli.run(command, option);
                assertThat(r.status()).as(command + " " + option).isZero();
                assertThat(r.out()).as(command + " " + option).isEqualTo(version);
            }
        }
    }

    /**
     * Every help fits 80 columns as written: no line of it longer, so picocli never breaks a sentence of the
     * description, header or footer into a short stray line.
     */
    @Test
    void everyHelpFitsEightyColumnsWithoutBreakingASentence() {
        List<String> all = new java.util.ArrayList<>(commands());
        all.add(0, null);
        for (String command : all) {
            CommandLine cl = command == null ? Main.commandLine(System.in) : Main.commandLine(System.in)
                    .getSubcommands().get(command);
            Model.UsageMessageSpec usage = cl.getCommandSpec().usageMessage();
            assertThat(usage.width()).as(command).isEqualTo(80);
            List<String> written = new java.util.ArrayList<>();
            written.addAll(List.of(usage.header()));
            written.addAll(List.of(usage.description()));
            written.addAll(List.of(usage.footer()));
            assertThat(written).as(command + ": lines as written").allSatisfy(l ->
                    assertThat(String.format(l).stripTrailing().length()).as(l).isLessThanOrEqualTo(80));
            String help = command == null ? Cli.run("--help").out() : Cli.run(command, "--help").out();
            assertThat(help.lines()).as(command).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(80));
            for (String line : written) {
                String l = String.format(line).strip();
                if (!l.isEmpty()) {
                    assertThat(help).as(command + ": a line as written, whole").contains(l);
                }
            }
        }
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

    /** Reads {@code n} bytes of its file ({@code -}: standard input), then runs out of what {@code what} says. */
    @Command(name = "hungry")
    static final class Hungry implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        Main main;

        @picocli.CommandLine.Parameters(index = "0")
        String file;

        @picocli.CommandLine.Option(names = "--what")
        String what = "heap";

        @Override
        public Integer call() throws Exception {
            if (file.equals("-")) {
                main.stdin().readNBytes(3000);
            }
            switch (what) {
                case "stack" -> throw new StackOverflowError();
                case "wrapped" -> throw new java.io.UncheckedIOException(new java.io.IOException(
                        new OutOfMemoryError("Java heap space")));
                default -> throw new OutOfMemoryError("Java heap space");
            }
        }
    }

    private static String run(byte[] stdin, String... args) {
        CommandLine cl = Main.commandLine(new ByteArrayInputStream(stdin));
        cl.addSubcommand(new CommandLine(new Hungry()));
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return status + " " + err;
    }

    @Test
    void runningOutOfMemoryOrStackSaysWhatRanOutTheInputsSizeAndTheOptionThatGivesMoreWithExitStatusTwo(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("big.hprof");
        java.nio.file.Files.write(file, new byte[3 * 1024 * 1024 / 2]);
        String heap = OutOfResources.moreHeap(Runtime.getRuntime().maxMemory());
        String max = OutOfResources.size(Runtime.getRuntime().maxMemory());

        assertThat(run(new byte[0], "hungry", file.toString())).isEqualTo("2 leakhound: " + file + " (1.5 MB): out of "
                + "memory (Java heap space): the Java heap may grow to " + max + " at most here; give it more, e.g. "
                + "LEAKHOUND_JAVA_OPTS=" + heap + "\n");
        assertThat(run(new byte[5000], "hungry", "-")).isEqualTo("2 leakhound: <stdin> (2.9 KB read): out of "
                + "memory (Java heap space): the Java heap may grow to " + max + " at most here; give it more, e.g. "
                + "LEAKHOUND_JAVA_OPTS=" + heap + "\n");
        assertThat(run(new byte[0], "hungry", file.toString(), "--what", "wrapped")).startsWith("2 leakhound: " + file
                + " (1.5 MB): out of memory (Java heap space)");
        assertThat(run(new byte[0], "hungry", file.toString(), "--what", "stack")).isEqualTo("2 leakhound: " + file
                + " (1.5 MB): stack overflow: the input nests deeper than the thread's stack allows; give it more, "
                + "e.g. LEAKHOUND_JAVA_OPTS=-Xss64m\n");
    }

    @Test
    void theHeapSuggestedIsAPowerOfTwoOfAtLeastTwiceTheMaximum() {
        assertThat(OutOfResources.moreHeap(31L << 20)).isEqualTo("-Xmx64m");      // what -Xmx32m gives
        assertThat(OutOfResources.moreHeap(247L << 20)).isEqualTo("-Xmx512m");    // -Xmx256m
        assertThat(OutOfResources.moreHeap(896L << 20)).isEqualTo("-Xmx2g");
        assertThat(OutOfResources.moreHeap(4000L << 20)).isEqualTo("-Xmx8g");
    }
}
