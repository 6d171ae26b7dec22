package dev.leakhound.cli.browser;

import dev.leakhound.cli.SystemTools;
import dev.leakhound.testing.Json;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real headless Chromium (Debian's {@code chromium}; {@code ./run-tests} installs it) with one page, driven
 * through the DevTools protocol. It records what a test of a page must check: console errors (console.error,
 * uncaught exceptions, the browser's own error log, Content-Security-Policy violations) and the URL of every
 * request the page made. {@link #close()} ends the browser and all its processes and deletes its profile.
 *
 * <p>Looked for: {@code $LEAKHOUND_CHROMIUM}, else {@code chromium} on the {@code PATH}, else
 * {@code /usr/bin/chromium}. Without it a test fails in CI unless the install could not reach the registry
 * ({@code LEAKHOUND_NO_CHROMIUM} says why), and is skipped otherwise, loudly ({@link SystemTools}).
 */
public final class Chromium implements AutoCloseable {
    /**
     * Where screenshots are kept, for a person to look at: the module's {@code target/screenshots} (found from the
     * test classes, {@code target/test-classes}: the working directory of a test run is not always the module's).
     */
    public static final Path SCREENSHOTS = testClasses().resolveSibling("screenshots");

    private static final Duration WAIT = Duration.ofSeconds(60);
    // Flags: no sandbox (tests run as root in CI), and nothing of Chromium's own traffic (updates, sync, Google's
    // hosts): the network log must hold the page's requests only, and this machine refuses the rest anyway.
    private static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--disable-extensions", "--mute-audio",
            "--window-size=1280,900", "--remote-debugging-port=0");
    /** Runs in every document before its own scripts, in a world of its own (the page's globals are untouched). */
    private static final String CSP_WATCH = "document.addEventListener('securitypolicyviolation', e => "
            + "console.error('CSP violation: ' + e.effectiveDirective + ' blocked ' + e.blockedURI"
            + " + ' at ' + e.sourceFile + ':' + e.lineNumber));";
    private static final String HARNESS_WORLD = "leakhound-harness";

    private final Process process;
    private final Path profile;
    private final Path log;
    private final List<ProcessHandle> processes = new ArrayList<>();
    private Cdp cdp;
    private String session;
    private final List<String> errors = new ArrayList<>();
    private final List<String> requests = new ArrayList<>();
    private final Map<String, String> finished = new LinkedHashMap<>();       // request id to URL, guarded by requests
    private final Map<String, String> urls = new java.util.HashMap<>();       // request id to URL, guarded by requests
    private final AtomicInteger loads = new AtomicInteger();

    private Chromium(Path binary) throws IOException {
        profile = Files.createTempDirectory("leakhound-chromium-");
        log = Files.createTempFile("leakhound-chromium-", ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(FLAGS);
        cmd.add("--user-data-dir=" + profile);
        cmd.add("about:blank");
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    /** The directory the test classes were loaded from ({@code target/test-classes}). */
    public static Path testClasses() {
        try {
            return Path.of(Chromium.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts the Chromium found with a blank page ({@link #require()} when there is none). */
    public static Chromium start() throws IOException, InterruptedException {
        Path binary = require();
        Chromium c = new Chromium(binary);
        try {
            c.connect();
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** The Chromium found, or the calling test (or class, from a @BeforeAll) fails in CI or is skipped, loudly. */
    public static Path require() {
        return SystemTools.require("chromium", "LEAKHOUND_CHROMIUM", "the browser tests of the pages",
                "apt-get install chromium chromium-driver", "LEAKHOUND_NO_CHROMIUM");
    }

    /** Reads the port from the profile's DevToolsActivePort, connects, and opens the page everything is done in. */
    private void connect() throws IOException, InterruptedException {
        Path portFile = profile.resolve("DevToolsActivePort");
        AtomicReference<List<String>> lines = new AtomicReference<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("Chromium ended with " + process.exitValue() + ":\n" + output());
            }
            if (Files.isRegularFile(portFile)) {
                List<String> l = Files.readAllLines(portFile, StandardCharsets.UTF_8);
                if (l.size() >= 2) {
                    lines.set(l);
                    return true;
                }
            }
            return false;
        });
        processes.add(process.toHandle());
        cdp = Cdp.connect(URI.create("ws://127.0.0.1:" + lines.get().get(0).strip() + lines.get().get(1).strip()));
        cdp.onEvent(this::event);
        String target = (String) cdp.call(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId");
        session = (String) cdp.call(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true))
                .get("sessionId");
        for (String domain : List.of("Page", "Runtime", "Log", "Network")) {
            page(domain + ".enable", Map.of());
        }
        page("Page.addScriptToEvaluateOnNewDocument", Map.of("source", CSP_WATCH, "worldName", HARNESS_WORLD));
        page("Emulation.setDeviceMetricsOverride",
                Map.of("width", 1280, "height", 900, "deviceScaleFactor", 1, "mobile", false));
        process.descendants().forEach(processes::add);
    }

    private void event(Cdp.Event e) {
        if (session == null || !session.equals(e.sessionId())) {
            return;
        }
        Map<String, Object> p = e.params();
        switch (e.method()) {
            case "Page.loadEventFired" -> loads.incrementAndGet();
            case "Network.requestWillBeSent" -> {
                synchronized (requests) {
                    String url = (String) Json.object(p.get("request")).get("url");
                    requests.add(url);
                    urls.put((String) p.get("requestId"), url);
                }
            }
            case "Network.loadingFinished" -> {
                synchronized (requests) {
                    String id = (String) p.get("requestId");
                    finished.remove(id);
                    finished.put(id, urls.get(id));
                }
            }
            case "Runtime.consoleAPICalled" -> {
                if (p.get("type").equals("error") || p.get("type").equals("assert")) {
                    StringBuilder text = new StringBuilder("console." + p.get("type") + ":");
                    for (Map<String, Object> arg : Json.objects(p.get("args"))) {
                        Object v = arg.containsKey("value") ? arg.get("value") : arg.get("description");
                        text.append(' ').append(v);
                    }
                    error(text.toString());
                }
            }
            case "Runtime.exceptionThrown" -> {
                Map<String, Object> d = Json.object(p.get("exceptionDetails"));
                Object exception = d.get("exception");
                error("uncaught: " + (exception != null && Json.object(exception).get("description") != null
                        ? Json.object(exception).get("description") : d.get("text"))
                        + " at " + d.get("url") + ":" + d.get("lineNumber"));
            }
            case "Log.entryAdded" -> {
                Map<String, Object> entry = Json.object(p.get("entry"));
                if (entry.get("level").equals("error")) {
                    error("log (" + entry.get("source") + "): " + entry.get("text") + " " + entry.getOrDefault("url", ""));
                }
            }
            default -> {
            }
        }
    }

    private void error(String text) {
        synchronized (errors) {
            errors.add(text);
        }
    }

    private Map<String, Object> page(String method, Map<String, Object> params) {
        return cdp.call(session, method, params);
    }

    /** Opens the URL and waits for its load event. */
    public void navigate(String url) {
        int before = loads.get();
        Map<String, Object> r = page("Page.navigate", Map.of("url", url));
        if (r.get("errorText") != null) {
            throw new AssertionError("could not open " + url + ": " + r.get("errorText"));
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> loads.get() > before);
    }

    /**
     * The value of a JavaScript expression, as JSON gives it (maps, lists, strings, longs, doubles, booleans, null);
     * a promise is awaited. A thrown exception fails the test.
     */
    public Object evaluate(String expression) {
        Map<String, Object> r = page("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (r.get("exceptionDetails") != null) {
            throw new AssertionError("evaluating " + expression + " threw: " + r.get("exceptionDetails"));
        }
        return Json.object(r.get("result")).get("value");
    }

    /**
     * Waits until the page says it has rendered ({@code document.documentElement.dataset.leakhound} is
     * {@code state}); a page that says {@code error} fails at once with its {@code #error} text.
     */
    public void awaitState(String state) {
        AtomicReference<Object> last = new AtomicReference<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            Object now = evaluate("document.documentElement.dataset.leakhound ?? null");
            last.set(now);
            if ("error".equals(now) && !"error".equals(state)) {
                throw new AssertionError("the page says error: "
                        + evaluate("document.querySelector('#error')?.textContent ?? '(no #error)'")
                        + "\nconsole errors: " + errors());
            }
            return state.equals(now);
        });
    }

    /** Focuses the element and types the text, as a keyboard would (real input events). */
    public void type(String selector, String text) {
        evaluate("(() => { const e = document.querySelector(" + Cdp.write(selector) + ");"
                + " if (!e) throw new Error('no ' + " + Cdp.write(selector) + "); e.focus(); })()");
        page("Input.insertText", Map.of("text", text));
    }

    /** Clicks the middle of the element with the mouse (real pointer events, after scrolling it into view). */
    public void click(String selector) {
        Map<String, Object> box = Json.object(evaluate("(() => { const e = document.querySelector("
                + Cdp.write(selector) + "); if (!e) throw new Error('no ' + " + Cdp.write(selector) + ");"
                + " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                + " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()"));
        double x = ((Number) box.get("x")).doubleValue();
        double y = ((Number) box.get("y")).doubleValue();
        for (String type : List.of("mouseMoved", "mousePressed", "mouseReleased")) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("type", type);
            p.put("x", x);
            p.put("y", y);
            if (!type.equals("mouseMoved")) {
                p.put("button", "left");
                p.put("clickCount", 1);
            }
            page("Input.dispatchMouseEvent", p);
        }
    }

    /** A PNG of the whole page (up to 8000 px high) in {@link #SCREENSHOTS}{@code /NAME.png}; its path. */
    public Path screenshot(String name) throws IOException {
        Map<String, Object> size = Json.object(page("Page.getLayoutMetrics", Map.of()).get("cssContentSize"));
        double width = Math.max(1, ((Number) size.get("width")).doubleValue());
        double height = Math.min(8000, Math.max(1, ((Number) size.get("height")).doubleValue()));
        Map<String, Object> r = page("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name + ".png");
        Files.write(file, Base64.getDecoder().decode((String) r.get("data")));
        return file;
    }

    /** Console errors, uncaught exceptions, error log entries and CSP violations so far, in order. */
    public List<String> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    /** The errors that are CSP violations (as the page's event and as the browser's log say them). */
    public List<String> cspViolations() {
        return errors().stream().filter(e -> e.startsWith("console.error: CSP violation: ")
                || e.startsWith("log (security): ") && e.contains("Content Security Policy")).toList();
    }

    /** The URL of every request the page made so far (the documents' own included), in order. */
    public List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /**
     * The body of the latest response to {@code url} that the page received in full: what the page was given (a
     * test compares it with what the page shows).
     */
    public String responseBody(String url) {
        String id = null;
        synchronized (requests) {
            for (Map.Entry<String, String> e : finished.entrySet()) {
                if (url.equals(e.getValue())) {
                    id = e.getKey();
                }
            }
        }
        if (id == null) {
            throw new AssertionError("no response to " + url + " received; requests: " + requests());
        }
        Map<String, Object> r = page("Network.getResponseBody", Map.of("requestId", id));
        String body = (String) r.get("body");
        return Boolean.TRUE.equals(r.get("base64Encoded"))
                ? new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8) : body;
    }

    /** What Chromium printed (its log), for failure messages. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Its profile ({@code --user-data-dir}), deleted by {@link #close()}. */
    Path profile() {
        return profile;
    }

    /** Whether Chromium and every process it started have ended (true after {@link #close()}). */
    public boolean ended() {
        return processes.stream().noneMatch(ProcessHandle::isAlive) && !process.isAlive();
    }

    /** Browser.close, then its processes are killed if still there, waited for; the profile and log deleted. */
    @Override
    public void close() {
        try {
            if (cdp != null) {
                try {
                    cdp.call(null, "Browser.close", Map.of(), Duration.ofSeconds(10));
                } catch (AssertionError e) {
                    // it may close the connection before it answers; or be dead already: killed below
                }
                cdp.close();
            }
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(20, TimeUnit.SECONDS);
                }
                for (ProcessHandle p : processes) {
                    if (p.isAlive()) {
                        p.destroyForcibly();
                        p.onExit().get(20, TimeUnit.SECONDS);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError("a Chromium process did not end: " + e, e);
            }
        } finally {
            deleteTree(profile);
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete Chromium's profile " + dir, e);
        }
    }
}
