package dev.leakhound.cli;

import dev.leakhound.capture.ThreadDumpParseException;
import dev.leakhound.cli.demo.DemoCommand;
import dev.leakhound.io.CountingInputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * The {@code leakhound} command: {@code leakhound threads FILE}, {@code leakhound heap FILE},
 * {@code leakhound gc FILE}, {@code leakhound jfr FILE}, {@code leakhound attach PID} and {@code leakhound demo}
 * ({@link #COMMANDS}).
 *
 * <p>Exit status, the same for every command and written once, in {@link #EXIT_CODES} (every command's help
 * shows it): {@link #EXIT_OK} (0) nothing found, {@link #EXIT_FOUND} (1) found, {@link #EXIT_USAGE} (2) bad
 * input or usage (unknown option, missing or unreadable file, a dump that cannot be parsed, and a limit of the
 * JVM such as its heap: out of memory or stack, said with the input's size and the option that gives more),
 * {@link #EXIT_INTERNAL} (3) an error inside Leakhound itself. Errors are one line on standard error,
 * {@code leakhound: <message>}; {@code --debug} adds the stack trace.
 */
@Command(name = "leakhound",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = false,
        synopsisSubcommandLabel = "COMMAND",
        description = {
                "Finds leaked platform and virtual threads: threads that are no longer needed",
                "but never end.",
                ""},
        commandListHeading = "%nCommands:%n",
        footerHeading = "%nExamples:%n",
        footer = {
                "  jcmd <pid> Thread.dump_to_file -format=json threads.json",
                "  leakhound threads threads.json",
                "  jcmd <pid> GC.heap_dump -gz=1 heap.hprof.gz",
                "  leakhound heap heap.hprof.gz --baseline older.hprof",
                "  java -Xlog:gc*:file=gc.log ...; leakhound gc gc.log --plot heap.svg",
                "  jcmd <pid> JFR.start settings=profile; jcmd <pid> JFR.dump filename=rec.jfr",
                "  leakhound jfr rec.jfr --kind inuse --pprof inuse.pb.gz",
                "  leakhound attach <pid>        (or java -javaagent:leakhound.jar ...)",
                "  curl http://127.0.0.1:6060/debug/threads/dump?debug=1",
                "  leakhound demo"})
public final class Main implements Callable<Integer> {

    /** All went well and nothing was found. */
    public static final int EXIT_OK = 0;
    /**
     * Found: a deadlock ({@code threads}; with {@code --fail-on-suspects} also suspects), a proven leaked thread or
     * deadlock ({@code heap}); for {@code demo}, a leak it shows did not come out as expected.
     */
    public static final int EXIT_FOUND = 1;
    /** Bad input or usage: unknown option, missing or unreadable file, a corrupt thread dump. */
    public static final int EXIT_USAGE = 2;
    /** A bug in Leakhound. */
    public static final int EXIT_INTERNAL = 3;

    /** The width every help text is laid out for; no line of it is longer. */
    static final int USAGE_WIDTH = 80;

    /**
     * The exit status table of every command's help, the one place it is written: status, then what it means
     * (picocli wraps the meaning in its column).
     */
    static final Map<String, String> EXIT_CODES = exitCodes();

    private static Map<String, String> exitCodes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("" + EXIT_OK, "nothing found: no deadlock (threads), no proven leak (heap); gc, jfr and attach:"
                + " done; demo: every leak came out as expected");
        m.put("" + EXIT_FOUND, "found: threads: a deadlock in the dump (found from its locks, or reported by the JVM), and with"
                + " --fail-on-suspects any suspect; heap: a proven leaked thread; demo: a leak it"
                + " expected to show did not come out as expected (its last line says what differed)");
        m.put("" + EXIT_USAGE, "bad input or usage: unknown option, missing or unreadable file, a dump or"
                + " log that cannot be read, a process that cannot be attached to, attach options the running"
                + " agent did not take, an input too large for the JVM's memory (give it more with"
                + " LEAKHOUND_JAVA_OPTS=-Xmx..., which the leakhound script passes on); one line on standard error");
        m.put("" + EXIT_INTERNAL, "an error inside Leakhound itself (--debug shows its stack trace)");
        return java.util.Collections.unmodifiableMap(m);
    }

    private static final String DEBUG = "--debug";

    /**
     * The commands, by name, in the order of the help. They are added by {@link #commandLine(InputStream, String...)},
     * not by the annotation: picocli reads every command's model when it is added (a fifth of a second of reflection
     * and class loading for all of them), and a run of one command needs only that one's.
     */
    static final Map<String, Class<?>> COMMANDS = commands();

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("threads", ThreadsCommand.class);
        m.put("heap", HeapCommand.class);
        m.put("gc", GcCommand.class);
        m.put("jfr", JfrCommand.class);
        m.put("attach", AttachCommand.class);
        m.put("demo", DemoCommand.class);
        m.put("help", CommandLine.HelpCommand.class);
        return java.util.Collections.unmodifiableMap(m);
    }

    @Spec
    CommandSpec spec;

    @Option(names = DEBUG, scope = ScopeType.INHERIT,
            description = "On an error, print its stack trace as well.")
    boolean debug;

    private final InputStream stdin;

    private Main(InputStream stdin) {
        this.stdin = stdin;
    }

    /** Standard input, for {@code -} as a file name. */
    InputStream stdin() {
        return stdin;
    }

    /** Without a command: the usage on standard error, exit status 2. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("leakhound: missing command");
        spec.commandLine().usage(err);
        err.flush();
        return EXIT_USAGE;
    }

    public static void main(String[] args) {
        int status;
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, stdioCharset("stderr.encoding")), true);
        try {
            PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, stdioCharset("stdout.encoding")), true);
            status = execute(System.in, out, err, args);
        } catch (OutOfMemoryError | StackOverflowError e) {  // before a command ran: execute handles the rest
            err.println(OutOfResources.FALLBACK);
            err.flush();
            status = EXIT_USAGE;
        } catch (Throwable t) {                       // an Error thrown by a command, e.g. a LinkageError
            err.println("leakhound: internal error: " + t);
            if (java.util.Arrays.asList(args).contains(DEBUG)) {
                t.printStackTrace(err);
            }
            err.flush();
            status = EXIT_INTERNAL;
        }
        System.exit(status);
    }

    private static Charset stdioCharset(String property) {
        try {
            String name = System.getProperty(property);
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /**
     * Runs the command line without exiting: what {@link #main} does, with the streams given.
     *
     * @return the exit status
     */
    public static int execute(InputStream stdin, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(stdin, args);
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * The command line with Leakhound's error handling and exit codes and every command; {@code stdin} is read for
     * {@code -}.
     */
    public static CommandLine commandLine(InputStream stdin) {
        return commandLine(stdin, new String[0]);
    }

    /**
     * As {@link #commandLine(InputStream)}, for these arguments: when the first names a command other than
     * {@code help}, only that command is added (what else it could need, help with the list of commands or a
     * suggestion for a misspelt name, comes with any other first argument).
     */
    static CommandLine commandLine(InputStream stdin, String... args) {
        CountingInputStream counted = new CountingInputStream(stdin);
        CommandLine cl = new CommandLine(new Main(counted));
        Class<?> only = args.length == 0 || "help".equals(args[0]) ? null : COMMANDS.get(args[0]);
        if (only != null) {
            cl.addSubcommand(args[0], only);
        } else {
            COMMANDS.forEach(cl::addSubcommand);
        }
        shareHelp(cl);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> error(e, commandLine, parseResult));
        IExecutionStrategy run = new CommandLine.RunLast();
        cl.setExecutionStrategy(parseResult -> {
            try {
                return run.execute(parseResult);
            } catch (OutOfMemoryError | StackOverflowError e) {
                // Not a bug but a limit of this JVM (picocli passes Errors on); the command's data is garbage by now
                return outOfResources(e, parseResult, counted.count(), cl.getErr(), debugRequested(parseResult));
            } catch (InternalError e) {
                if (!OutOfResources.isMappedReadFault(e)) {
                    throw e;
                }
                PrintWriter err = cl.getErr();
                err.println("leakhound: " + OutOfResources.changedWhileRead(parseResult, counted.count()));
                if (debugRequested(parseResult)) {
                    e.printStackTrace(err);
                }
                err.flush();
                return EXIT_USAGE;
            }
        });
        return cl;
    }

    /**
     * What every command's help has in common, set here once: the exit status table, the version ({@code -V}),
     * the width of {@value #USAGE_WIDTH} columns.
     */
    private static void shareHelp(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        spec.usageMessage().exitCodeListHeading("%nExit status:%n").exitCodeList(EXIT_CODES)
                .autoWidth(false).width(USAGE_WIDTH);
        spec.versionProvider(new Version());
        for (CommandLine sub : cl.getSubcommands().values()) {
            shareHelp(sub);
        }
    }

    /** Unknown option, missing parameter, bad value: one line, exit status 2. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        String command = cl.getCommandSpec().qualifiedName();
        String message = firstLine(e.getMessage());
        if (e instanceof CommandLine.UnmatchedArgumentException u && cl.getCommandSpec().parent() == null
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            message = "unknown command '" + u.getUnmatched().get(0) + "'";
        }
        err.println("leakhound: " + message + " (see '" + command + " --help')");
        if (java.util.Arrays.asList(args).contains(DEBUG)) {
            e.printStackTrace(err);
        }
        err.flush();
        return EXIT_USAGE;
    }

    /** Out of memory or stack: what ran out, the inputs and their sizes, the option that gives more; exit 2. */
    private static int outOfResources(VirtualMachineError e, ParseResult parsed, long stdinRead, PrintWriter err,
                                      boolean debug) {
        try {
            err.println("leakhound: " + OutOfResources.message(e, parsed, stdinRead));
            if (debug) {
                e.printStackTrace(err);
            }
        } catch (OutOfMemoryError | StackOverflowError again) {
            err.println(OutOfResources.FALLBACK);
        }
        err.flush();
        return EXIT_USAGE;
    }

    /** An exception from a command: one line, exit status 2 for bad input, 3 for anything else. */
    private static int error(Exception e, CommandLine cl, ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        VirtualMachineError limit = OutOfResources.find(e);     // wrapped by some library on its way here
        if (limit != null) {
            long stdinRead = cl.getCommandSpec().root().userObject() instanceof Main m
                    && m.stdin instanceof CountingInputStream c ? c.count() : 0;
            return outOfResources(limit, parseResult, stdinRead, err, debugRequested(parseResult));
        }
        int status;
        String message;
        Throwable cause = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        if (cause instanceof BadInputException || cause instanceof ThreadDumpParseException) {
            status = EXIT_USAGE;
            message = cause.getMessage();
        } else if (cause instanceof NoSuchFileException f) {
            status = EXIT_USAGE;
            message = f.getFile() + ": no such file";
        } else if (cause instanceof AccessDeniedException f) {
            status = EXIT_USAGE;
            message = f.getFile() + ": permission denied";
        } else if (cause instanceof FileSystemException f) {
            status = EXIT_USAGE;
            message = f.getFile() + ": " + (f.getReason() != null ? f.getReason() : f.getClass().getSimpleName());
        } else if (cause instanceof IOException || cause instanceof InvalidPathException) {
            // HprofFormatException among them: "FILE: at byte OFFSET: reason"
            status = EXIT_USAGE;
            message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        } else {
            status = EXIT_INTERNAL;
            message = "internal error: " + cause
                    + (debugRequested(parseResult) ? "" : " (run again with --debug for the stack trace)");
        }
        err.println("leakhound: " + firstLine(message));
        if (debugRequested(parseResult)) {
            e.printStackTrace(err);
        }
        err.flush();
        return status;
    }

    private static boolean debugRequested(ParseResult parseResult) {
        for (ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption(DEBUG)) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }

    /** The path of a file named on the command line; a name the file system cannot take is bad input. */
    static Path path(String name) throws BadInputException {
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            throw new BadInputException(name + ": not a valid file name (" + e.getReason() + ")");
        }
    }

    /** Bad input found by a command (a file that is not there, a value out of range): exit status 2. */
    static final class BadInputException extends Exception {
        private static final long serialVersionUID = 1L;

        BadInputException(String message) {
            super(message);
        }
    }

    /** {@code leakhound 0.1.0 ...}: the version from the build, and the Java that runs it. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                    "leakhound " + version(),
                    "Java ${java.version} (${java.vm.name} ${java.vm.version}) at ${java.home}"};
        }

        static String version() {
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    String v = p.getProperty("version");
                    if (v != null && !v.isBlank() && !v.startsWith("${")) {
                        return v.strip();
                    }
                }
            } catch (IOException ignored) {
                // fall through
            }
            return "(unknown version)";
        }
    }
}
