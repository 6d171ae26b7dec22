package dev.leakhound.agent;

import dev.leakhound.agent.capture.CaptureSources;
import dev.leakhound.agent.capture.LiveDeadlocks;
import dev.leakhound.agent.capture.ThreadSource;
import dev.leakhound.agent.instrument.StartTracking;

import java.lang.instrument.Instrumentation;

/**
 * The entry points of {@code leakhound.jar} as a Java agent: {@code -javaagent:leakhound.jar[=options]}
 * ({@link #premain}) and {@code leakhound attach PID} ({@link #agentmain}). Options: {@link AgentOptions}.
 *
 * <p>Nothing here throws into the host: bad options, a port that is taken, anything that fails is one line
 * on standard error, {@code leakhound-agent: ...}, and the failing part stays off. Loading the agent a
 * second time (attach after {@code -javaagent}) only says that it already runs, unless its debug server could
 * not start (a port taken): then it starts again with the new options. {@code stop} stops it.
 *
 * <p>What became of a load is also left in the host's system property {@value #STATUS_PROPERTY}
 * ({@code running http://127.0.0.1:6060/}, {@code running (no server)}, {@code stopped}, {@value #NOT_RUNNING},
 * {@code already running http://127.0.0.1:6060/ options port=6060,...} when the load found one running and left it
 * as it was, {@code failed: ...}), which is how {@code leakhound attach} learns the address and whether its options
 * were taken.
 */
public final class Agent {
    /** The host's system property with the status of the last load. */
    public static final String STATUS_PROPERTY = "leakhound.agent";
    /** The status of a stop when no agent ran. */
    public static final String NOT_RUNNING = "not running, nothing stopped";
    /** The status of a load while an agent runs: {@code already running URL options port=6060,...}. */
    public static final String ALREADY = "already ";
    /** Between the running agent's status and its options in {@link #ALREADY}'s status. */
    public static final String OPTIONS = " options ";

    private Agent() {
    }

    public static void premain(String args, Instrumentation inst) {
        load(args, inst);
    }

    public static void premain(String args) {
        load(args, null);
    }

    public static void agentmain(String args, Instrumentation inst) {
        load(args, inst);
    }

    public static void agentmain(String args) {
        load(args, null);
    }

    /** Parses the options and starts (or stops) the agent; never throws. */
    static void load(String args, Instrumentation inst) {
        try {
            AgentOptions options;
            try {
                options = AgentOptions.parse(args);
            } catch (IllegalArgumentException e) {
                AgentLog.info("bad options, the agent is off: " + e.getMessage());
                status("failed: bad options: " + e.getMessage());
                return;
            }
            if (options.stop()) {
                LeakhoundAgent running = LeakhoundAgent.running();
                if (running == null) {
                    AgentLog.info("not running, nothing to stop");
                } else {
                    running.close();
                    AgentLog.info("stopped");
                }
                StartTracking.stop();
                status(running == null ? NOT_RUNNING : "stopped");
                return;
            }
            LeakhoundAgent running = LeakhoundAgent.running();
            if (running != null && options.server() && running.serverFailed()) {
                running.close();                          // its server never started: try again with these options
                running = null;
            }
            if (running != null) {
                AgentLog.info("already running" + (running.url() != null ? ", debug server on " + LeakhoundAgent.debugUrl(running.url()) : "")
                        + "; to change options, stop it first (option stop)");
                // what runs, with its options (token masked), so that attach can tell whether the new ones were taken
                status(ALREADY + running.status() + OPTIONS
                        + running.options().toAgentArgs().replaceAll("token=[^,]*", "token=***"));
                return;
            }
            if (options.creationSites()) {
                recordCreationSites(inst, options.maxTrackedThreads());
            }
            String locks = LiveDeadlocks.openLocks(inst);
            if (locks != null && inst != null) {
                AgentLog.info("owners of java.util.concurrent locks of virtual threads are unknown, deadlocks among"
                        + " them are not seen: " + locks);
            }
            LeakhoundAgent agent = LeakhoundAgent.start(options, threadSource(inst), true);
            status(agent.status());
        } catch (Throwable t) {
            AgentLog.failed("agent", t);
            status("failed: " + AgentLog.describe(t));
        }
    }

    /**
     * The JDK's thread containers when the instrumentation can open them to us (cheap counts, and stacks
     * through {@code Thread.getStackTrace}, which the JDK keeps safe while virtual threads mount and unmount);
     * else the JDK's JSON dump, said once on stderr.
     */
    private static ThreadSource threadSource(Instrumentation inst) {
        try {
            return CaptureSources.best(inst,
                    reason -> AgentLog.info("using the JDK's thread dump, the faster capture is unavailable: " + reason));
        } catch (Throwable t) {
            AgentLog.info("using the JDK's thread dump: the faster capture failed: " + AgentLog.describe(t));
            return ThreadSource.jdkDump();
        }
    }

    /** Where and when threads start, for every report; without it reports say nothing of it. */
    static void recordCreationSites(Instrumentation inst, int maxTracked) {
        if (inst == null) {
            return;                      // loaded without instrumentation (tests): the capture's line says so
        }
        try {
            String note = StartTracking.start(inst, maxTracked);
            if (note != null) {
                AgentLog.info("creation sites: " + note);
            }
        } catch (Throwable t) {
            AgentLog.info("creation sites are not recorded: " + AgentLog.describe(t));
        }
    }

    private static void status(String s) {
        try {
            System.setProperty(STATUS_PROPERTY, s);
        } catch (Throwable ignored) {
            // the status is a courtesy for leakhound attach
        }
    }
}
