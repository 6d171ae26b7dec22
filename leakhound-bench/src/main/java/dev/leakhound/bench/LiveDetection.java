package dev.leakhound.bench;

import java.io.BufferedReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 11: how soon the agent's growth detector names a leaking site in {@code /debug/leaks}, and how long it keeps
 * it named, with the agent's default options, on a host JVM that leaks virtual threads blocked in
 * {@code SynchronousQueue.put} (a sender nobody receives from):
 * <ul>
 *   <li>{@code startup JAR [RUNS]}: {@code -javaagent:JAR=port=0} in a cold JVM that leaks 2 threads every 333 ms
 *       from its first moment: the time from its first leaked thread to the site named;</li>
 *   <li>{@code attach JAR [RUNS]}: the same leak in a JVM without agent; after 26 leaked threads, {@code java -jar JAR
 *       attach PID --port 0}: the time from the attach to the site named, and the count then (the 26 among them?);</li>
 *   <li>{@code persist JAR [SECONDS [KINDS]]}: four hosts (KINDS, comma-separated: {@code slow,burst,stops,pool}), each
 *       for SECONDS from its first leaked thread: a slow leak (one thread every 15 s), a burst of 10 threads 20 s after
 *       start-up (after the agent's first samples), a leak of 3 threads a second that stops after 10 s, and a healthy pool that breathes (4 to 64 workers
 *       of one pool that are busy in turn, idle in {@code getTask} between): when the site is first named, for how long
 *       of the time after it stays named, and how often it falls off.</li>
 * </ul>
 * The host's class path holds only this class, so the agent is the one of the jar given. {@code /debug/leaks} is
 * polled every 100 ms; a time is the first poll that shows the site, so it is at most 100 ms late.
 */
public final class LiveDetection {
    private static final Pattern URL = Pattern.compile("debug server on (http://\\S+)|running in process \\d+: (http://\\S+)");
    private static final Pattern SUSPECT = Pattern.compile(
            "\"count\" : (\\d+),[^{}]*?\"blockedAt\" : \"dev\\.leakhound\\.bench\\.LiveDetection");
    private static final Pattern SAMPLES = Pattern.compile("\"samples\" : (\\d+)");
    private static final Pattern ANY_SUSPECT = Pattern.compile("\"suspects\" : \\[ \\{[^{}]*?\"count\" : (\\d+)");

    private LiveDetection() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "host" -> host(args[1]);
            case "startup" -> startup(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 5);
            case "attach" -> attach(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 5);
            case "persist" -> persist(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 150,
                    args.length > 3 ? List.of(args[3].split(",")) : List.of("slow", "burst", "stops", "pool"));
            default -> {
                System.err.println("usage: LiveDetection startup|attach JAR [RUNS] | persist JAR [SECONDS [KINDS]]");
                System.exit(2);
            }
        }
    }

    // ---- the host ----

    /** Leaks as {@code kind} says, printing {@code first EPOCH_MILLIS} and {@code leaked N}; ends with its input. */
    private static void host(String kind) throws Exception {
        Thread.ofPlatform().daemon(true).start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // until the benchmark closes our input
                }
            } catch (Exception e) {
                // ends below
            }
            System.exit(0);
        });
        if (kind.equals("pool")) {
            breathe();
            return;
        }
        if (kind.equals("burst")) {
            Thread.sleep(20_000);         // after the agent's first samples: a burst it sees happen
        }
        int leaked = 0;
        long stopAt = kind.equals("stops") ? System.nanoTime() + TimeUnit.SECONDS.toNanos(10) : Long.MAX_VALUE;
        while (true) {
            int n = switch (kind) {
                case "burst" -> leaked == 0 ? 10 : 0;
                case "slow" -> 1;
                case "stops" -> System.nanoTime() < stopAt ? 1 : 0;
                default -> 2;
            };
            for (int i = 0; i < n; i++) {
                Thread.ofVirtual().start(LiveDetection::send);
                if (leaked++ == 0) {
                    System.out.println("first " + System.currentTimeMillis());
                }
                System.out.println("leaked " + leaked);
            }
            // the leak's pace (the workload, not a synchronisation)
            Thread.sleep(switch (kind) {
                case "slow" -> 15_000;
                case "stops" -> 333;
                case "burst" -> 60_000;
                default -> 333;
            });
        }
    }

    /** A sender whose receiver is gone: blocked for ever with no timeout. */
    private static void send() {
        try {
            new SynchronousQueue<Integer>().put(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One pool of 64 platform workers, 4 to 64 of them busy in turn (50 ms tasks), the others idle in getTask. */
    private static void breathe() throws Exception {
        var pool = new java.util.concurrent.ThreadPoolExecutor(64, 64, 60, TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>());
        System.out.println("first " + System.currentTimeMillis());
        for (int round = 0; ; round++) {
            int busy = 4 + (round * 7) % 61;
            var done = new java.util.concurrent.CountDownLatch(busy);
            for (int i = 0; i < busy; i++) {
                pool.execute(() -> {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    done.countDown();
                });
            }
            done.await();
            Thread.sleep(200);
        }
    }

    // ---- the benchmark ----

    private static void startup(Path jar, int runs) throws Exception {
        List<Double> seconds = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            try (Host h = Host.start(jar, "steady", true)) {
                long first = h.first();
                Named n = h.awaitNamed(Duration.ofSeconds(120));
                double s = (n.atMillis - first) / 1e3;
                seconds.add(s);
                System.out.printf(Locale.ROOT, "startup run %d: named %.1f s after the first leaked thread, at sample %d,"
                        + " %d threads%n", run, s, n.samples, n.count);
            }
        }
        System.out.println("startup: " + summary(seconds));
    }

    private static void attach(Path jar, int runs) throws Exception {
        List<Double> seconds = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            try (Host h = Host.start(jar, "steady", false)) {
                h.first();
                h.awaitLeaked(26);
                long attachAt = System.currentTimeMillis();
                int leakedAtAttach = h.leaked;
                Process cli = new ProcessBuilder(java(), "-jar", jar.toAbsolutePath().toString(), "attach",
                        Long.toString(h.process.pid()), "--port", "0").redirectErrorStream(true).start();
                String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                cli.waitFor();
                Matcher m = URL.matcher(out);
                if (!m.find()) {
                    throw new IllegalStateException("leakhound attach said: " + out);
                }
                h.base = URI.create(m.group(2) != null ? m.group(2) : m.group(1));
                Named n = h.awaitNamed(Duration.ofSeconds(120));
                double s = (n.atMillis - attachAt) / 1e3;
                seconds.add(s);
                System.out.printf(Locale.ROOT, "attach run %d: %d threads leaked at the attach; named %.1f s after the"
                        + " attach, at sample %d, with %d threads (%d leaked by then)%n", run, leakedAtAttach, s,
                        n.samples, n.count, h.leaked);
            }
        }
        System.out.println("attach: " + summary(seconds));
    }

    private static void persist(Path jar, int seconds, List<String> kinds) throws Exception {
        for (String kind : kinds) {
            try (Host h = Host.start(jar, kind, true)) {
                long first = h.first();
                long end = first + seconds * 1000L;
                long firstNamed = 0;
                long namedMillis = 0;
                int offs = 0;
                boolean was = false;
                long last = System.currentTimeMillis();
                int maxCount = 0;
                while (System.currentTimeMillis() < end) {
                    Named n = h.poll(kind.equals("pool") ? ANY_SUSPECT : SUSPECT);
                    long now = System.currentTimeMillis();
                    boolean named = n != null;
                    if (named && firstNamed == 0) {
                        firstNamed = now;
                    }
                    if (was) {
                        namedMillis += now - last;
                    }
                    if (was && !named) {
                        offs++;
                    }
                    if (named) {
                        maxCount = Math.max(maxCount, n.count);
                    }
                    was = named;
                    last = now;
                    TimeUnit.MILLISECONDS.sleep(100);                 // the poll's period
                }
                if (firstNamed == 0) {
                    System.out.printf(Locale.ROOT, "persist %s: never named in %d s (no suspect at all: %s)%n", kind,
                            seconds, kind.equals("pool"));
                } else {
                    long after = end - firstNamed;
                    System.out.printf(Locale.ROOT, "persist %s: named %.1f s after its first leaked thread; named %.0f%%"
                            + " of the %.0f s after (%d times fallen off); up to %d threads%n", kind,
                            (firstNamed - first) / 1e3, 100.0 * namedMillis / after, after / 1e3, offs, maxCount);
                }
            }
        }
    }

    private static String summary(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        double median = v.size() % 2 == 1 ? v.get(v.size() / 2) : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
        return String.format(Locale.ROOT, "median %.1f s, range %.1f-%.1f s over %d runs", median, v.get(0),
                v.get(v.size() - 1), v.size());
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private record Named(long atMillis, int count, long samples) {
    }

    /** A host JVM of {@link #host}: its output read on a thread of its own, its debug server once known. */
    private static final class Host implements AutoCloseable {
        final Process process;
        final Path dir;
        final CompletableFuture<Long> first = new CompletableFuture<>();
        final HttpClient client = HttpClient.newHttpClient();
        volatile URI base;
        volatile int leaked;
        private final Object lock = new Object();

        private Host(Process process, Path dir) {
            this.process = process;
            this.dir = dir;
        }

        static Host start(Path jar, String kind, boolean agent) throws Exception {
            Path dir = Files.createTempDirectory("leakhound-live");
            List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx512m"));
            if (agent) {
                cmd.add("-javaagent:" + jar.toAbsolutePath() + "=port=0");
            }
            cmd.addAll(List.of("-cp", hostClasses(dir).toString(), LiveDetection.class.getName(), "host", kind));
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            Host h = new Host(p, dir);
            CompletableFuture<URI> url = new CompletableFuture<>();
            Thread.ofPlatform().daemon(true).start(() -> {
                try (BufferedReader err = p.errorReader(StandardCharsets.UTF_8)) {
                    for (String line; (line = err.readLine()) != null; ) {
                        Matcher m = URL.matcher(line);
                        if (m.find()) {
                            url.complete(URI.create(m.group(1) != null ? m.group(1) : m.group(2)));
                        }
                    }
                } catch (Exception e) {
                    url.completeExceptionally(e);
                }
            });
            Thread.ofPlatform().daemon(true).start(() -> {
                try (BufferedReader out = p.inputReader(StandardCharsets.UTF_8)) {
                    for (String line; (line = out.readLine()) != null; ) {
                        if (line.startsWith("first ")) {
                            h.first.complete(Long.parseLong(line.substring(6)));
                        } else if (line.startsWith("leaked ")) {
                            synchronized (h.lock) {
                                h.leaked = Integer.parseInt(line.substring(7));
                                h.lock.notifyAll();
                            }
                        }
                    }
                } catch (Exception e) {
                    h.first.completeExceptionally(e);
                }
            });
            if (agent) {
                h.base = url.get(120, TimeUnit.SECONDS);
            }
            return h;
        }

        long first() throws Exception {
            return first.get(120, TimeUnit.SECONDS);
        }

        void awaitLeaked(int n) throws InterruptedException {
            synchronized (lock) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (leaked < n && System.nanoTime() < deadline) {
                    lock.wait(1000);
                }
            }
        }

        /** The site as /debug/leaks shows it now, or null. */
        Named poll(Pattern suspect) throws Exception {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/debug/leaks?format=json"))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            long now = System.currentTimeMillis();
            if (r.statusCode() != 200) {
                return null;
            }
            Matcher m = suspect.matcher(r.body());
            if (!m.find()) {
                return null;
            }
            Matcher s = SAMPLES.matcher(r.body());
            return new Named(now, Integer.parseInt(m.group(1)), s.find() ? Long.parseLong(s.group(1)) : -1);
        }

        Named awaitNamed(Duration limit) throws Exception {
            long deadline = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() < deadline) {
                Named n = poll(SUSPECT);
                if (n != null) {
                    return n;
                }
                TimeUnit.MILLISECONDS.sleep(100);                         // the poll's period
            }
            throw new IllegalStateException("the site was not named within " + limit);
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            try (var files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** This class alone, copied out of the benchmark jar, so that the agent's classes come from the agent's jar. */
    private static Path hostClasses(Path dir) throws Exception {
        Path classes = dir.resolve("classes");
        Path self = Path.of(LiveDetection.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (var jar = new java.util.jar.JarFile(self.toFile())) {
            for (var e : Collections.list(jar.entries())) {
                if (e.getName().startsWith("dev/leakhound/bench/LiveDetection")) {
                    Path out = classes.resolve(e.getName());
                    Files.createDirectories(out.getParent());
                    try (var in = jar.getInputStream(e)) {
                        Files.copy(in, out);
                    }
                }
            }
        }
        return classes;
    }
}
