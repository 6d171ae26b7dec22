package dev.leakhound.agent.instrument;

import dev.leakhound.agent.boot.ThreadStarts;
import dev.leakhound.capture.CreationSites;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.Remapper;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records where and when every thread starts by instrumenting the JDK's thread start and end ({@link StartHooks}).
 * Steps, each of which may fail and leave the JVM as it was:
 * <ol>
 *   <li>{@code java.base} opens {@code jdk.internal.vm} to this agent's module (it already exports it for the
 *       thread containers);</li>
 *   <li>{@link ThreadStarts} and its nested classes are renamed {@code jdk.internal.vm.LeakhoundThreadStarts_N}
 *       (ASM; N is the recorder's version, so that another agent's copy is never taken for ours) and defined
 *       in that package with {@code Lookup.defineClass}: a part of {@code java.base} that {@code java.lang.Thread}
 *       can call and that can read the JDK's private fields. Nothing is added to the bootstrap class path, so class
 *       data sharing stays on and the JVM prints nothing;</li>
 *   <li>{@code Thread} and {@code VirtualThread} are retransformed, then recording is switched on.</li>
 * </ol>
 * Installing twice installs once; {@link #stop()} switches recording off (the hooks stay and do nothing).
 */
public final class StartTracking {
    private static final String SOURCE = ThreadStarts.class.getName().replace('.', '/');
    private static final String TARGET = ThreadStarts.JDK_NAME.replace('.', '/');
    private static final String PACKAGE = "jdk.internal.vm";

    private static StartHooks installed;       // guarded by StartTracking.class
    private static Class<?> hooks;             // the copy in java.base

    /** Counters of the recording: threads tracked now, distinct sites, starts not recorded, stack walks. */
    public record Stats(long tracked, long sites, long missed, long walks) {
    }

    private StartTracking() {
    }

    /**
     * Installs the hooks if not yet done, and switches recording on for about {@code maxTracked} live threads.
     *
     * @return a note for the log when tasks cannot be read (recording works, but walks every start), else
     *         {@code null}
     * @throws IllegalStateException with a one-line reason when recording cannot run here
     */
    public static synchronized String start(Instrumentation inst, int maxTracked) {
        if (inst == null) {
            throw new IllegalStateException("no Instrumentation (the agent was not loaded as an agent)");
        }
        if (installed == null) {
            installed = install(inst);
        }
        String note = (String) call("enable", MethodType.methodType(String.class, int.class), maxTracked);
        CreationSites.lookAgain();
        return note;
    }

    /** Switches recording off and forgets the records. */
    public static synchronized void stop() {
        if (installed != null) {
            call("disable", MethodType.methodType(void.class));
        }
    }

    /** The counters, or zeros when recording was never installed. */
    public static synchronized Stats stats() {
        if (installed == null) {
            return new Stats(0, 0, 0, 0);
        }
        try {
            Object s = call("stats", MethodType.methodType(Class.forName(ThreadStarts.JDK_NAME + "$Stats", false, null)));
            Class<?> type = s.getClass();
            MethodHandles.Lookup l = MethodHandles.lookup();
            long[] v = new long[4];
            String[] names = {"tracked", "sites", "missed", "walks"};
            for (int i = 0; i < 4; i++) {
                v[i] = (long) l.findVirtual(type, names[i], MethodType.methodType(long.class)).invoke(s);
            }
            return new Stats(v[0], v[1], v[2], v[3]);
        } catch (Throwable e) {
            throw new IllegalStateException("stats of the recording: " + e, e);
        }
    }

    private static Object call(String name, MethodType type, Object... args) {
        try {
            MethodHandle h = MethodHandles.lookup().findStatic(hooks, name, type);
            return h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(name + ": " + e, e);
        }
    }

    private static StartHooks install(Instrumentation inst) {
        if (!inst.isRetransformClassesSupported()) {
            throw new IllegalStateException("this agent cannot retransform classes (Can-Retransform-Classes)");
        }
        Class<?> virtualThread;
        try {                                      // check the JDK before changing anything in it
            virtualThread = Class.forName("java.lang.VirtualThread");
            Class.forName(PACKAGE + ".Continuation");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("this JDK has no " + e.getMessage(), e);
        }
        Module javaBase = Object.class.getModule();
        Module ours = StartTracking.class.getModule();
        if (!inst.isModifiableModule(javaBase)) {
            throw new IllegalStateException("java.base is not modifiable by this agent");
        }
        if (!javaBase.isOpen(PACKAGE, ours)) {
            inst.redefineModule(javaBase, Set.of(), Map.of(), Map.of(PACKAGE, Set.of(ours)), Set.of(), Map.of());
        }
        hooks = defineInJavaBase();
        try {                                      // the hooks' targets, as the hooks will call them
            MethodType hook = MethodType.methodType(void.class, Thread.class);
            MethodHandles.lookup().findStatic(hooks, "started", hook);
            MethodHandles.lookup().findStatic(hooks, "ended", hook);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(ThreadStarts.JDK_NAME + " is not the recorder this agent expects: " + e, e);
        }
        StartHooks t = new StartHooks();
        inst.addTransformer(t, true);
        try {
            inst.retransformClasses(Thread.class, virtualThread);
        } catch (Throwable e) {
            undo(inst, t, virtualThread);
            throw new IllegalStateException("could not instrument Thread and VirtualThread: " + e, e);
        }
        Set<String> applied = t.applied();
        List<String> missing = new ArrayList<>();
        for (String needed : List.of("java.lang.Thread.start()V->started", "java.lang.Thread.exit()V->ended",
                "java.lang.VirtualThread.start(Ljdk/internal/vm/ThreadContainer;)V->started")) {
            if (!applied.contains(needed)) {
                missing.add(needed);
            }
        }
        if (applied.stream().noneMatch(a -> a.startsWith("java.lang.VirtualThread.after"))) {
            missing.add("java.lang.VirtualThread.afterDone->ended");
        }
        if (t.failure() != null || !missing.isEmpty()) {
            undo(inst, t, virtualThread);         // some records would never be removed: none at all instead
            throw new IllegalStateException("this JDK's Thread classes are not as expected"
                    + (t.failure() != null ? ": " + t.failure() : "; missing hooks: " + missing));
        }
        instrumentPools(inst, t);
        return t;
    }

    /**
     * Where pools are created, for their workers' reports; optional: without it (an unexpected JDK), workers keep
     * their own start site only.
     */
    private static void instrumentPools(Instrumentation inst, StartHooks t) {
        try {
            MethodHandles.lookup().findStatic(hooks, "poolCreated", MethodType.methodType(void.class, Object.class));
            inst.retransformClasses(java.util.concurrent.ThreadPoolExecutor.class);
        } catch (Throwable e) {
            // the pool hook is not there, or the class could not be changed: nothing of it runs
        }
    }

    /** Takes the transformer out and gives Thread and VirtualThread back their own code. */
    private static void undo(Instrumentation inst, StartHooks t, Class<?> virtualThread) {
        inst.removeTransformer(t);
        try {
            inst.retransformClasses(Thread.class, virtualThread);
        } catch (Throwable ignored) {
            // the hooks that went in stay; with recording off they do nothing
        }
    }

    /** Defines the renamed copy of ThreadStarts in {@code jdk.internal.vm}, unless an earlier load did. */
    private static Class<?> defineInJavaBase() {
        try {
            return Class.forName(ThreadStarts.JDK_NAME, true, null);
        } catch (ClassNotFoundException expected) {
            // the first load of the agent in this JVM
        }
        try {
            MethodHandles.Lookup inPackage = MethodHandles.privateLookupIn(
                    Class.forName(PACKAGE + ".Continuation"), MethodHandles.lookup());
            List<String> members = new ArrayList<>();
            inPackage.defineClass(renamed(SOURCE, members));
            for (String member : members) {
                inPackage.defineClass(renamed(member, new ArrayList<>()));
            }
            return Class.forName(ThreadStarts.JDK_NAME, true, null);
        } catch (ReflectiveOperationException | IOException | RuntimeException | LinkageError e) {
            throw new IllegalStateException("could not define " + ThreadStarts.JDK_NAME + ": " + e, e);
        }
    }

    /**
     * The class file of {@code internalName}, every reference to ThreadStarts renamed to the copy in java.base; adds
     * the (original) names of its nest members, i.e. its nested classes, to {@code nestMembers}.
     */
    static byte[] renamed(String internalName, List<String> nestMembers) throws IOException {
        byte[] original;
        try (InputStream in = StartTracking.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            if (in == null) {
                throw new IOException(internalName + ".class not found");
            }
            original = in.readAllBytes();
        }
        ClassReader reader = new ClassReader(original);
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visitNestMember(String nestMember) {
                nestMembers.add(nestMember);
            }
        }, ClassReader.SKIP_CODE);
        ClassWriter w = new ClassWriter(0);
        reader.accept(new ClassRemapper(w, new Remapper() {
            @Override
            public String map(String name) {
                return name.equals(SOURCE) || name.startsWith(SOURCE + "$") ? TARGET + name.substring(SOURCE.length())
                        : name;
            }
        }), 0);
        return w.toByteArray();
    }
}
