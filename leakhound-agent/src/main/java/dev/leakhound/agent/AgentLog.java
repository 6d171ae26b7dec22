package dev.leakhound.agent;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's only output: single lines on standard error starting with {@code leakhound-agent: }.
 * A failing part is reported once, whatever happens to it afterwards.
 */
public final class AgentLog {
    public static final String PREFIX = "leakhound-agent: ";

    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

    private AgentLog() {
    }

    /** One line, {@code leakhound-agent: <message>}. Never throws. */
    public static void info(String message) {
        try {
            PrintStream err = System.err;
            err.println(PREFIX + oneLine(message));
            err.flush();
        } catch (Throwable ignored) {
            // nowhere left to say it
        }
    }

    /**
     * Reports that {@code part} failed and is switched off; only the first report for a part is printed.
     *
     * @return whether this was the first report for the part
     */
    public static boolean failed(String part, Throwable t) {
        if (!REPORTED.add(part)) {
            return false;
        }
        info(part + " failed and is switched off: " + describe(t));
        return true;
    }

    /**
     * Reports a problem of {@code part} that leaves it on (e.g. one request it could not answer); only the first
     * report for a part is printed.
     */
    public static void once(String part, String message) {
        if (REPORTED.add(part)) {
            info(part + ": " + message + " (said once; later ones only to the client)");
        }
    }

    /** {@code message (ExceptionClass)}, or the class alone when there is no message; one line. */
    public static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        String m = t.getMessage();
        String cls = t.getClass().getSimpleName();
        return oneLine(m == null || m.isBlank() ? cls : m + " (" + cls + ")");
    }

    public static String oneLine(String s) {
        if (s == null) {
            return "null";
        }
        String t = s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " | ");
        return t.length() <= 500 ? t : t.substring(0, 497) + "...";
    }

    /** For tests: forget which parts were reported. */
    public static void resetForTests() {
        REPORTED.clear();
    }
}
