package dev.leakhound.agent;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The agent's options, from the agent argument string: {@code key=value} pairs separated by commas, e.g.
 * {@code -javaagent:leakhound.jar=port=6060,host=127.0.0.1,sampleMillis=5000,window=6,gctrace=true}.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code port}</td><td>6060</td><td>the debug server's port, 0 to 65535 (0: any free port). Not given:
 *       6060, or any free port when 6060 is taken (the line on standard error names it). Given and taken: no
 *       server, and a line that says how to choose another</td></tr>
 *   <tr><td>{@code host}</td><td>127.0.0.1</td><td>the address the server binds; anything but a loopback
 *       address requires a token</td></tr>
 *   <tr><td>{@code token}</td><td>none</td><td>when set, every request must carry
 *       {@code Authorization: Bearer <token>}; 16 to 256 characters, no comma or white space</td></tr>
 *   <tr><td>{@code tokenEnv}</td><td>none</td><td>the name of an environment variable of the host process that
 *       holds the token (keeps it off the command line)</td></tr>
 *   <tr><td>{@code server}</td><td>true</td><td>{@code false}: no debug server (sampler and gctrace only)</td></tr>
 *   <tr><td>{@code sampleMillis}</td><td>5000</td><td>how often the leak detector samples the threads,
 *       100 to 3600000 (less often when samples take long: sampling takes at most 5% of a core)</td></tr>
 *   <tr><td>{@code window}</td><td>6</td><td>how many samples the leak detector looks back, 2 to 1000</td></tr>
 *   <tr><td>{@code minGrowth}</td><td>2</td><td>how many threads a blocking site must gain over the window to be
 *       reported, 1 to 1000000</td></tr>
 *   <tr><td>{@code gctrace}</td><td>false</td><td>print one line per garbage collection to standard error,
 *       like Go's {@code GODEBUG=gctrace=1}</td></tr>
 *   <tr><td>{@code gcHistory}</td><td>100</td><td>how many collections {@code /debug/gc} keeps, 1 to 10000</td></tr>
 *   <tr><td>{@code maxThreads}</td><td>1000</td><td>how many threads {@code /debug/threads/dump?debug=2} lists
 *       at most, 1 to 100000</td></tr>
 *   <tr><td>{@code heapIntervalMillis}</td><td>10000</td><td>{@code /debug/heap} runs at most once per this
 *       many milliseconds (it forces a full GC), and so does {@code /debug/leaks/proof} (counted from the end of
 *       the previous proof), 1000 to 3600000</td></tr>
 *   <tr><td>{@code creationSites}</td><td>true</td><td>record where and when every thread starts (needs the agent's
 *       instrumentation: {@code -javaagent} or {@code leakhound attach})</td></tr>
 *   <tr><td>{@code maxTrackedThreads}</td><td>250000</td><td>how many live threads' creation sites are kept at most
 *       (a table of 24 bytes per slot, allocated when recording starts, slots the next power of two: 6 MB for
 *       the default), 1000 to 10000000</td></tr>
 *   <tr><td>{@code heapProof}</td><td>false</td><td>serve {@code POST /debug/leaks/proof}: take a heap dump and
 *       prove which threads are leaked, in a separate JVM; the dump goes to a private directory under
 *       {@code java.io.tmpdir} and is removed afterwards, never served ({@code ProofEndpoint})</td></tr>
 *   <tr><td>{@code proofHeapMb}</td><td>1024</td><td>the {@code -Xmx} of that JVM, in MB, 64 to 1048576: the proof
 *       needs about 12-17 bytes per object of the dump, plus some 50 MB</td></tr>
 *   <tr><td>{@code heapProfile}</td><td>false</td><td>run a JFR recording of sampled allocations and live
 *       objects for {@code /debug/heap/profile} (bounded, in JFR's repository; JFR's two threads stay until the JVM
 *       exits: see docs/services.md, "Heap profile by allocating line")</td></tr>
 *   <tr><td>{@code stop}</td><td></td><td>(no value) stop an agent that is running: server, sampler, listeners</td></tr>
 * </table>
 *
 * <p>{@link #parse} throws {@link IllegalArgumentException} with a one-line message naming the option and
 * what is accepted.
 *
 * @param host               bind address as given (a literal address or a host name)
 * @param port               0 to 65535
 * @param token              the bearer token, or {@code null} for none
 * @param server             whether to run the debug server
 * @param sampleMillis       sampler period
 * @param window             leak detector window, in samples
 * @param minGrowth          leak detector minimum growth over the window, in threads
 * @param gctrace            print a line per GC to standard error
 * @param gcHistory          collections kept for {@code /debug/gc}
 * @param maxThreads         threads listed at most by {@code debug=2}
 * @param heapIntervalMillis minimum time between two class histograms
 * @param stop               stop a running agent instead of starting one
 * @param creationSites      record where and when threads start
 * @param maxTrackedThreads  live threads whose creation site is kept at most
 * @param heapProof          whether to serve the heap-dump proof of leaked threads
 * @param proofHeapMb        the maximum heap of the JVM that runs the proof, in MB
 * @param heapProfile        whether to run the heap profile recording for {@code /debug/heap/profile}
 * @param portGiven          whether {@code port} was asked for: if not, a taken port gives way to any free one
 */
public record AgentOptions(String host, int port, String token, boolean server, long sampleMillis, int window,
                           int minGrowth, boolean gctrace, int gcHistory, int maxThreads, long heapIntervalMillis, boolean stop,
                           boolean creationSites, int maxTrackedThreads, boolean heapProof, int proofHeapMb,
                           boolean heapProfile, boolean portGiven) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 6060;
    public static final int MIN_TOKEN_LENGTH = 16;
    public static final int MAX_TOKEN_LENGTH = 256;

    /** Every key, in the order of the documentation. */
    public static final List<String> KEYS = List.of("port", "host", "token", "tokenEnv", "server", "sampleMillis",
            "window", "minGrowth", "gctrace", "gcHistory", "maxThreads", "heapIntervalMillis", "creationSites", "maxTrackedThreads",
            "heapProof", "proofHeapMb", "heapProfile", "stop");

    public AgentOptions {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("agent option port=" + port + ": expected 0 to 65535");
        }
        if (token != null) {
            checkToken(token, "token");
        }
        if (!stop && server && token == null && !isLoopback(host)) {
            throw new IllegalArgumentException("agent option host=" + host + " is not a loopback address: "
                    + "a token is required (token=... or tokenEnv=VARIABLE, at least " + MIN_TOKEN_LENGTH
                    + " characters)");
        }
        range("sampleMillis", sampleMillis, 100, 3_600_000);
        range("window", window, 2, 1000);
        range("minGrowth", minGrowth, 1, 1_000_000);
        range("gcHistory", gcHistory, 1, 10_000);
        range("maxThreads", maxThreads, 1, 100_000);
        range("heapIntervalMillis", heapIntervalMillis, 1000, 3_600_000);
        range("maxTrackedThreads", maxTrackedThreads, 1000, 10_000_000);
        range("proofHeapMb", proofHeapMb, 64, 1_048_576);
    }

    /** These options with {@code port} asked for. */
    public AgentOptions(String host, int port, String token, boolean server, long sampleMillis, int window,
                        int minGrowth, boolean gctrace, int gcHistory, int maxThreads, long heapIntervalMillis, boolean stop,
                        boolean creationSites, int maxTrackedThreads, boolean heapProof, int proofHeapMb) {
        this(host, port, token, server, sampleMillis, window, minGrowth, gctrace, gcHistory, maxThreads,
                heapIntervalMillis, stop, creationSites, maxTrackedThreads, heapProof, proofHeapMb, false, true);
    }

    /** These options without the heap profile recording. */
    public AgentOptions(String host, int port, String token, boolean server, long sampleMillis, int window,
                        int minGrowth, boolean gctrace, int gcHistory, int maxThreads, long heapIntervalMillis, boolean stop,
                        boolean creationSites, int maxTrackedThreads, boolean heapProof, int proofHeapMb,
                        boolean portGiven) {
        this(host, port, token, server, sampleMillis, window, minGrowth, gctrace, gcHistory, maxThreads,
                heapIntervalMillis, stop, creationSites, maxTrackedThreads, heapProof, proofHeapMb, false, portGiven);
    }

    /** These options with the heap profile recording on or off. */
    public AgentOptions withHeapProfile(boolean on) {
        return new AgentOptions(host, port, token, server, sampleMillis, window, minGrowth, gctrace, gcHistory,
                maxThreads, heapIntervalMillis, stop, creationSites, maxTrackedThreads, heapProof, proofHeapMb, on,
                portGiven);
    }

    /** The defaults: loopback port 6060, no token, sampling every 5 s over 6 samples, no gctrace, no heap proof. */
    public static AgentOptions defaults() {
        return new AgentOptions(DEFAULT_HOST, DEFAULT_PORT, null, true, 5000, 6, 2, false, 100, 1000, 10_000, false,
                true, 250_000, false, 1024, false, false);
    }

    /** Parses the agent argument string; {@code null} or blank gives the defaults. Environment from the process. */
    public static AgentOptions parse(String args) {
        return parse(args, System::getenv);
    }

    /**
     * Parses the agent argument string, reading {@code tokenEnv} from {@code env}.
     *
     * @throws IllegalArgumentException with a one-line message: unknown or repeated key, bad value
     */
    public static AgentOptions parse(String args, java.util.function.Function<String, String> env) {
        Map<String, String> given = new LinkedHashMap<>();
        if (args != null && !args.isBlank()) {
            if (args.length() > 4096) {
                throw new IllegalArgumentException("agent options longer than 4096 characters");
            }
            for (String part : args.split(",", -1)) {
                String item = part.strip();
                if (item.isEmpty()) {
                    throw new IllegalArgumentException("empty agent option in '" + abbreviate(args)
                            + "' (options are key=value separated by commas)");
                }
                int eq = item.indexOf('=');
                String key = eq < 0 ? item : item.substring(0, eq).strip();
                String value = eq < 0 ? null : item.substring(eq + 1).strip();
                String known = canonicalKey(key);
                if (known == null) {
                    throw new IllegalArgumentException("unknown agent option '" + abbreviate(key) + "' (known: "
                            + String.join(", ", KEYS) + ")");
                }
                if (given.containsKey(known)) {
                    throw new IllegalArgumentException("agent option '" + known + "' given twice");
                }
                given.put(known, value);
            }
        }
        AgentOptions d = defaults();
        String host = d.host();
        int port = d.port();
        String token = null;
        boolean server = d.server();
        long sampleMillis = d.sampleMillis();
        int window = d.window();
        int minGrowth = d.minGrowth();
        boolean gctrace = d.gctrace();
        int gcHistory = d.gcHistory();
        int maxThreads = d.maxThreads();
        long heapInterval = d.heapIntervalMillis();
        boolean stop = false;
        boolean creationSites = d.creationSites();
        int maxTracked = d.maxTrackedThreads();
        boolean heapProof = d.heapProof();
        int proofHeapMb = d.proofHeapMb();
        boolean heapProfile = d.heapProfile();
        for (Map.Entry<String, String> e : given.entrySet()) {
            String key = e.getKey();
            String v = e.getValue();
            switch (key) {
                case "port" -> port = (int) number(key, v, 0, 65535);
                case "host" -> host = host(v);
                case "token" -> token = checkToken(required(key, v), "token");
                case "tokenEnv" -> {
                    String name = required(key, v);
                    String t = env.apply(name);
                    if (t == null || t.isBlank()) {
                        throw new IllegalArgumentException("agent option tokenEnv=" + abbreviate(name)
                                + ": no such environment variable, or it is empty");
                    }
                    token = checkToken(t.strip(), "the token in $" + name);
                }
                case "server" -> server = bool(key, v);
                case "sampleMillis" -> sampleMillis = number(key, v, 100, 3_600_000);
                case "window" -> window = (int) number(key, v, 2, 1000);
                case "minGrowth" -> minGrowth = (int) number(key, v, 1, 1_000_000);
                case "gctrace" -> gctrace = bool(key, v);
                case "gcHistory" -> gcHistory = (int) number(key, v, 1, 10_000);
                case "maxThreads" -> maxThreads = (int) number(key, v, 1, 100_000);
                case "heapIntervalMillis" -> heapInterval = number(key, v, 1000, 3_600_000);
                case "creationSites" -> creationSites = bool(key, v);
                case "maxTrackedThreads" -> maxTracked = (int) number(key, v, 1000, 10_000_000);
                case "heapProof" -> heapProof = bool(key, v);
                case "proofHeapMb" -> proofHeapMb = (int) number(key, v, 64, 1_048_576);
                case "heapProfile" -> heapProfile = bool(key, v);
                case "stop" -> {
                    if (v != null) {
                        throw new IllegalArgumentException("agent option 'stop' takes no value");
                    }
                    stop = true;
                }
                default -> throw new AssertionError(key);
            }
        }
        if (given.containsKey("token") && given.containsKey("tokenEnv")) {
            throw new IllegalArgumentException("agent options 'token' and 'tokenEnv': give one of them");
        }
        return new AgentOptions(host, port, token, server, sampleMillis, window, minGrowth, gctrace, gcHistory, maxThreads,
                heapInterval, stop, creationSites, maxTracked, heapProof, proofHeapMb, heapProfile,
                given.containsKey("port"));
    }

    /**
     * The argument string that {@link #parse} turns back into these options; the token is included, so do
     * not log it.
     */
    public String toAgentArgs() {
        if (stop) {
            return "stop";
        }
        List<String> parts = new ArrayList<>();
        if (portGiven) {
            parts.add("port=" + port);
        }
        parts.add("host=" + host);
        if (token != null) {
            parts.add("token=" + token);
        }
        if (!server) {
            parts.add("server=false");
        }
        parts.add("sampleMillis=" + sampleMillis);
        parts.add("window=" + window);
        parts.add("minGrowth=" + minGrowth);
        if (gctrace) {
            parts.add("gctrace=true");
        }
        parts.add("gcHistory=" + gcHistory);
        parts.add("maxThreads=" + maxThreads);
        parts.add("heapIntervalMillis=" + heapIntervalMillis);
        if (!creationSites) {
            parts.add("creationSites=false");
        }
        parts.add("maxTrackedThreads=" + maxTrackedThreads);
        if (heapProof) {
            parts.add("heapProof=true");
        }
        parts.add("proofHeapMb=" + proofHeapMb);
        if (heapProfile) {
            parts.add("heapProfile=true");
        }
        return String.join(",", parts);
    }

    /** These options without the token, for messages. */
    @Override
    public String toString() {
        return "AgentOptions[" + toAgentArgs().replaceAll("token=[^,]*", "token=***") + "]";
    }

    /** The address to bind, resolved. */
    public InetAddress bindAddress() throws UnknownHostException {
        return InetAddress.getByName(host);
    }

    /** Whether {@code host} is a loopback address: {@code localhost}, {@code 127.x.x.x}, {@code ::1}. */
    public static boolean isLoopback(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) {
            return true;
        }
        if (!isLiteralAddress(h)) {
            return false;                    // a name other than localhost may resolve anywhere: not trusted
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean isLiteralAddress(String h) {
        if (h.contains(":")) {
            return h.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        }
        return h.chars().allMatch(c -> c >= '0' && c <= '9' || c == '.') && h.chars().filter(c -> c == '.').count() == 3;
    }

    private static String canonicalKey(String key) {
        for (String k : KEYS) {
            if (k.equalsIgnoreCase(key)) {
                return k;
            }
        }
        return null;
    }

    private static String required(String key, String v) {
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("agent option '" + key + "' needs a value (" + key + "=...)");
        }
        return v;
    }

    private static String host(String v) {
        String h = required("host", v);
        if (h.length() > 253 || !h.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == ':')) {
            throw new IllegalArgumentException("agent option host=" + abbreviate(h)
                    + ": expected an IP address or a host name");
        }
        return h;
    }

    private static long number(String key, String v, long min, long max) {
        String s = required(key, v);
        long n;
        try {
            n = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("agent option " + key + "=" + abbreviate(s) + ": not a number (expected "
                    + min + " to " + max + ")");
        }
        range(key, n, min, max);
        return n;
    }

    private static void range(String key, long n, long min, long max) {
        if (n < min || n > max) {
            throw new IllegalArgumentException("agent option " + key + "=" + n + ": expected " + min + " to " + max);
        }
    }

    private static boolean bool(String key, String v) {
        if (v == null) {
            return true;                                   // "gctrace" alone means gctrace=true
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("agent option " + key + "=" + abbreviate(v)
                    + ": expected true or false");
        };
    }

    private static String checkToken(String t, String what) {
        if (t.length() < MIN_TOKEN_LENGTH || t.length() > MAX_TOKEN_LENGTH) {
            throw new IllegalArgumentException(what + ": expected " + MIN_TOKEN_LENGTH + " to " + MAX_TOKEN_LENGTH
                    + " characters, got " + t.length());
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c <= ' ' || c >= 127 || c == ',') {
                throw new IllegalArgumentException(what + ": only printable ASCII characters, no comma or space");
            }
        }
        return t;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
