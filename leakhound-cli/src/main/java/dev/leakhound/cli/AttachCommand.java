package dev.leakhound.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.leakhound.agent.Agent;
import dev.leakhound.agent.AgentOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.jar.JarFile;

/**
 * {@code leakhound attach PID}: loads {@code leakhound.jar} as an agent into a running JVM (Attach API) and
 * prints the debug server's address.
 */
@Command(name = "attach",
        header = "Loads Leakhound into a running JVM: the debug server and the leak detector.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = false,
        description = {
                "Loads this jar as a Java agent into the JVM with process id PID (same user,",
                "JDK 21 or newer), which then serves, on the loopback address by default:",
                "  /debug/threads/count         live threads of all kinds (platform + virtual)",
                "  /debug/threads               counts by kind, state and container (JSON)",
                "  /debug/threads/dump?debug=1  threads grouped by stack, pprof style",
                "  /debug/threads/dump?debug=2  every thread, with how long it has waited",
                "  /debug/leaks                 groups blocked with no timeout that keep growing",
                "  /debug/gc  /debug/heap  /metrics  (see /debug/ for all)",
                "The same as starting the JVM with -javaagent:leakhound.jar=OPTIONS. JDK 21+",
                "warns when an agent is loaded into a running JVM unless it was started with",
                "-XX:+EnableDynamicAgentLoading. --stop stops it (when none runs, it says so).",
                "Attaching again while it runs changes nothing: with the options it runs with",
                "(or none given) it prints its address; with others it says they were NOT",
                "applied and exits 2 (stop it, then attach again to apply them).",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {
                "  leakhound attach 4242",
                "  curl http://127.0.0.1:6060/debug/threads/dump?debug=1",
                "  leakhound attach 4242 --host 0.0.0.0 --token-env LEAKHOUND_TOKEN --port 7070",
                "  leakhound attach 4242 --stop"})
final class AttachCommand implements Callable<Integer> {

    /** The system property of the target in which the agent reports what became of it. */
    private static final String STATUS = Agent.STATUS_PROPERTY;
    /** The oldest Java the agent runs on (it is built for 21). */
    static final int MIN_JAVA = 21;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PID", description = "The process id of the JVM.")
    String pid;

    @Option(names = "--port", paramLabel = "N", description = "Port of the debug server, 0 for any free one (default: 6060).")
    Integer port;

    @Option(names = "--host", paramLabel = "H",
            description = "Address to bind (default: 127.0.0.1). Any non-loopback address needs a token.")
    String host;

    @Option(names = "--token", paramLabel = "T",
            description = "Require 'Authorization: Bearer T' on every request (16+ characters).")
    String token;

    @Option(names = "--token-env", paramLabel = "VAR",
            description = "Read the token from this environment variable (keeps it out of the process list).")
    String tokenEnv;

    @Option(names = "--sample-millis", paramLabel = "M",
            description = "How often the leak detector samples the threads (default: 5000).")
    Long sampleMillis;

    @Option(names = "--window", paramLabel = "K",
            description = "How many samples the leak detector looks back (default: 6).")
    Integer window;

    @Option(names = "--gctrace", description = "Print one line per garbage collection to the target's standard error.")
    boolean gctrace;

    @Option(names = "--no-server", description = "No debug server: the sampler (and --gctrace) only.")
    boolean noServer;

    @Option(names = "--options", paramLabel = "A",
            description = "More agent options, as for -javaagent:leakhound.jar=A (key=value,...).")
    String more;

    @Option(names = "--stop", description = "Stop the agent running in the target: server, sampler, listeners.")
    boolean stop;

    @Override
    public Integer call() throws Main.BadInputException {
        long target = parsePid();
        String agentArgs = agentArgs();
        AgentOptions options;
        try {
            // tokenEnv in --options names a variable of the target, read there: here any value passes
            options = AgentOptions.parse(agentArgs, name -> "0123456789abcdef");
        } catch (IllegalArgumentException e) {
            throw new Main.BadInputException(e.getMessage());
        }
        Path jar = ownJar();
        String status = load(target, jar, agentArgs);
        PrintWriter out = spec.commandLine().getOut();
        if (status == null) {
            throw new Main.BadInputException("process " + target + ": the agent was loaded but did not report "
                    + "(an older Leakhound running there?)");
        }
        if (status.startsWith("failed")) {
            throw new Main.BadInputException("process " + target + ": agent " + status
                    + (status.startsWith("failed: debug server") ? " (attach again with another --port, or --stop)" : ""));
        }
        if (stop) {
            out.println("leakhound: process " + target + ": agent " + status);
            return Main.EXIT_OK;
        }
        if (status.startsWith(Agent.ALREADY)) {
            // The agent ran before this load and kept its options: fine when they are those asked for, else say so
            int at = status.indexOf(Agent.OPTIONS);
            String running = status.substring(Agent.ALREADY.length(), at < 0 ? status.length() : at).strip();
            String runningArgs = at < 0 ? "" : status.substring(at + Agent.OPTIONS.length()).strip();
            String runningUrl = running.startsWith("running ") ? running.substring("running ".length()).strip() : null;
            List<String> notTaken = notTaken(agentArgs, runningArgs, runningUrl);
            if (!notTaken.isEmpty()) {
                throw new Main.BadInputException("process " + target + ": the agent already runs"
                        + (runningUrl != null && runningUrl.startsWith("http") ? " on " + runningUrl : "")
                        + " with " + runningArgs + "; the options given (" + String.join(",", notTaken)
                        + ") were NOT applied: to apply them, stop it and attach again: leakhound attach " + target
                        + " --stop, then leakhound attach " + target + " " + String.join(" ", givenOptions()));
            }
            status = running;
        }
        String url = status.startsWith("running ") ? status.substring("running ".length()).strip() : null;
        if (url != null && url.startsWith("http")) {
            out.println("leakhound: agent running in process " + target + ": " + url);
            String curl = options.token() == null ? "curl " : "curl -H 'Authorization: Bearer ...' ";
            for (String path : List.of("debug/threads/count", "debug/threads/dump?debug=1", "debug/leaks", "debug/")) {
                out.println("  " + curl + "'" + url + path + "'");
            }
        } else {
            out.println("leakhound: agent " + status + " in process " + target);
        }
        out.println("  stop it: leakhound attach " + target + " --stop");
        return Main.EXIT_OK;
    }

    /**
     * The options asked for ({@code key=value,...} as sent to the agent) that the running agent does not have: each
     * key given, compared with the running agent's value. Port 0 (any free port) is any port; a port asked for
     * may be the one the agent took for port 0; a token cannot be compared (the agent masks it) unless it has none.
     */
    static List<String> notTaken(String asked, String runningArgs, String runningUrl) {
        java.util.Map<String, String> running = keyValues(runningArgs);
        List<String> out = new ArrayList<>();
        for (java.util.Map.Entry<String, String> e : keyValues(asked).entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            String has = running.get(key);
            boolean taken = switch (key) {
                case "port" -> value.equals("0") || value.equals(has) || runningUrl != null
                        && runningUrl.matches("https?://.*:" + java.util.regex.Pattern.quote(value) + "/?");
                case "token", "tokenEnv" -> running.containsKey("token");
                case "server", "creationSites" -> value.equals(has != null ? has : "true");
                case "gctrace", "heapProof" -> value.equals(has != null ? has : "false");
                default -> value.equals(has);
            };
            if (!taken) {
                out.add(key.equals("token") ? "token=***" : key + "=" + value);
            }
        }
        return out;
    }

    private static java.util.Map<String, String> keyValues(String args) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String part : args.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                m.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
            }
        }
        return m;
    }

    /** The options of this command line, for the command that applies them (the token masked). */
    private List<String> givenOptions() {
        List<String> out = new ArrayList<>();
        for (picocli.CommandLine.Model.OptionSpec o : spec.options()) {
            if (o.getValue() != null && !o.usageHelp() && !o.versionHelp() && !o.longestName().equals("--debug")
                    && !(o.getValue() instanceof Boolean b && !b)) {
                String name = o.longestName();
                out.add(o.arity().max() == 0 ? name : name + " " + (name.equals("--token") ? "..." : o.getValue()));
            }
        }
        return out;
    }

    private long parsePid() throws Main.BadInputException {
        long n;
        try {
            n = Long.parseLong(pid.strip());
        } catch (NumberFormatException e) {
            throw new Main.BadInputException("bad pid '" + abbreviate(pid) + "': expected a process id (a number)");
        }
        if (n <= 0) {
            throw new Main.BadInputException("bad pid " + n + ": expected a process id (a positive number)");
        }
        if (n == ProcessHandle.current().pid()) {
            throw new Main.BadInputException("pid " + n + " is this leakhound process itself");
        }
        if (ProcessHandle.of(n).isEmpty()) {
            throw new Main.BadInputException("no process with pid " + n);
        }
        return n;
    }

    private String agentArgs() throws Main.BadInputException {
        if (stop) {
            return "stop";
        }
        List<String> parts = new ArrayList<>();
        if (more != null && !more.isBlank()) {
            parts.add(more.strip());
        }
        if (port != null) {
            parts.add("port=" + port);
        }
        if (host != null) {
            parts.add("host=" + host);
        }
        if (token != null && tokenEnv != null) {
            throw new Main.BadInputException("--token and --token-env: give one of them");
        }
        if (tokenEnv != null) {
            String t = System.getenv(tokenEnv);
            if (t == null || t.isBlank()) {
                throw new Main.BadInputException("--token-env " + abbreviate(tokenEnv)
                        + ": no such environment variable, or it is empty");
            }
            parts.add("token=" + t.strip());
        } else if (token != null) {
            parts.add("token=" + token);
        }
        if (sampleMillis != null) {
            parts.add("sampleMillis=" + sampleMillis);
        }
        if (window != null) {
            parts.add("window=" + window);
        }
        if (gctrace) {
            parts.add("gctrace=true");
        }
        if (noServer) {
            parts.add("server=false");
        }
        return String.join(",", parts);
    }

    /** This jar, which must be leakhound.jar with its agent manifest. */
    private static Path ownJar() throws Main.BadInputException {
        Path path;
        try {
            CodeSource cs = AttachCommand.class.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null) {
                throw new Main.BadInputException("cannot tell which jar this is: run attach from leakhound.jar (java -jar leakhound.jar attach PID)");
            }
            path = Path.of(cs.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            throw new Main.BadInputException("cannot tell which jar this is: " + e.getMessage());
        }
        if (!Files.isRegularFile(path)) {
            throw new Main.BadInputException(path + " is not a jar: run attach from leakhound.jar (java -jar leakhound.jar attach PID)");
        }
        try (JarFile jf = new JarFile(path.toFile())) {
            if (jf.getManifest() == null || jf.getManifest().getMainAttributes().getValue("Agent-Class") == null) {
                throw new Main.BadInputException(path + " has no Agent-Class in its manifest: not leakhound.jar");
            }
        } catch (IOException e) {
            throw new Main.BadInputException(path + ": cannot read it as a jar: " + e.getMessage());
        }
        return path;
    }

    /** Loads the agent and returns the status it reported in the target, or {@code null}. */
    private static String load(long target, Path jar, String args) throws Main.BadInputException {
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(target));
        } catch (AttachNotSupportedException | IOException | RuntimeException e) {
            throw new Main.BadInputException("cannot attach to process " + target + ": " + reason(e)
                    + " (a JVM of the same user, JDK 21+, not started with -XX:+DisableAttachMechanism?)");
        }
        try {
            // Before loading anything: an older Java would fail to load the agent's classes, and print that failure
            // (a stack trace) in the target's own output.
            String version = javaVersion(vm);
            if (featureVersion(version) < MIN_JAVA) {
                throw new Main.BadInputException("process " + target + " runs Java " + version
                        + "; the agent needs Java " + MIN_JAVA + " or newer (nothing was loaded)");
            }
            vm.loadAgent(jar.toString(), args);
            Properties props = vm.getSystemProperties();
            return props.getProperty(STATUS);
        } catch (AgentLoadException | AgentInitializationException e) {
            throw new Main.BadInputException("process " + target + " refused the agent: " + reason(e)
                    + " (started with -XX:-EnableDynamicAgentLoading?)");
        } catch (IOException | RuntimeException e) {
            throw new Main.BadInputException("process " + target + ": loading the agent failed: " + reason(e));
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the target may have gone; nothing to undo
            }
        }
    }

    /** The target's {@code java.specification.version}, or "" when it cannot be read (then the load is tried). */
    private static String javaVersion(VirtualMachine vm) {
        try {
            return vm.getSystemProperties().getProperty("java.specification.version", "");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** 17 for "17", 8 for "1.8"; {@code Integer.MAX_VALUE} when it cannot be read (then the load is tried). */
    static int featureVersion(String specificationVersion) {
        String v = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
        int dot = v.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip().lines().findFirst().orElse(m);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
