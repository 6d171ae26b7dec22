package dev.leakhound.agent.instrument;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The transformer on this JDK's own class files (from {@code jrt:/}), without instrumenting anything. */
class StartHooksTest {

    private static byte[] jdkClass(String name) throws Exception {
        try (InputStream in = Object.class.getResourceAsStream("/" + name + ".class")) {
            if (in != null) {
                return in.readAllBytes();
            }
        }
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        return Files.readAllBytes(jrt.getPath("modules", "java.base", name + ".class"));
    }

    @Test
    void theHooksGoAtTheTopOfTheStartAndEndMethods() throws Exception {
        StartHooks hooks = new StartHooks();
        byte[] thread = hooks.transform(Object.class.getModule(), null, StartHooks.THREAD, Thread.class, null,
                jdkClass(StartHooks.THREAD));
        byte[] virtual = hooks.transform(Object.class.getModule(), null, StartHooks.VIRTUAL_THREAD, null, null,
                jdkClass(StartHooks.VIRTUAL_THREAD));
        assertThat(hooks.failure()).isNull();
        assertThat(thread).isNotNull();
        assertThat(virtual).isNotNull();
        assertThat(hooks.applied()).contains(
                "java.lang.Thread.start()V->started",
                "java.lang.Thread.start(Ljdk/internal/vm/ThreadContainer;)V->started",
                "java.lang.Thread.exit()V->ended",
                "java.lang.VirtualThread.start(Ljdk/internal/vm/ThreadContainer;)V->started");
        assertThat(hooks.applied()).anyMatch(a -> a.startsWith("java.lang.VirtualThread.after") && a.endsWith("->ended"));

        // In the transformed bytes, the first instructions of each hooked method are the call, nothing else moved.
        Map<String, List<String>> firstCalls = firstCalls(thread);
        assertThat(firstCalls.get("start()V")).containsExactly("ALOAD 0", "INVOKESTATIC " + StartHooks.HOOKS + ".started");
        assertThat(firstCalls.get("exit()V")).containsExactly("ALOAD 0", "INVOKESTATIC " + StartHooks.HOOKS + ".ended");
        assertThat(firstCalls.get("run()V")).doesNotContain("INVOKESTATIC " + StartHooks.HOOKS + ".started");
        assertThat(new ClassReader(thread).getClassName()).isEqualTo(StartHooks.THREAD);
    }

    @Test
    void thePoolHookGoesBeforeTheReturnOfTheConstructorTheOthersCall() throws Exception {
        StartHooks hooks = new StartHooks();
        byte[] pool = hooks.transform(Object.class.getModule(), null, StartHooks.POOL,
                java.util.concurrent.ThreadPoolExecutor.class, null, jdkClass(StartHooks.POOL));
        assertThat(hooks.failure()).isNull();
        assertThat(pool).isNotNull();
        assertThat(hooks.applied()).containsExactly(
                "java.util.concurrent.ThreadPoolExecutor.<init>" + StartHooks.POOL_CONSTRUCTOR + "->poolCreated");
    }

    @Test
    void coreLooksForTheRecorderUnderTheNameTheAgentGivesIt() {
        assertThat(dev.leakhound.capture.CreationSites.RECORDER).isEqualTo(dev.leakhound.agent.boot.ThreadStarts.JDK_NAME);
        assertThat(StartHooks.HOOKS).isEqualTo(dev.leakhound.agent.boot.ThreadStarts.JDK_NAME.replace('.', '/'));
    }

    @Test
    void otherClassesAndOtherLoadersAreLeftAlone() throws Exception {
        StartHooks hooks = new StartHooks();
        assertThat(hooks.transform(Object.class.getModule(), null, "java/lang/String", null, null,
                jdkClass("java/lang/String"))).isNull();
        assertThat(hooks.transform(null, getClass().getClassLoader(), StartHooks.THREAD, null, null,
                jdkClass(StartHooks.THREAD))).as("a class named java/lang/Thread from another loader").isNull();
        assertThat(hooks.transform(Object.class.getModule(), null, StartHooks.THREAD, null, null,
                new byte[] {(byte) 0xCA, (byte) 0xFE, 0, 1})).as("bytes ASM cannot read: left as they are").isNull();
        assertThat(hooks.failure()).isNotNull();
        assertThat(hooks.applied()).isEmpty();
    }

    /** The first two instructions of each method, as text. */
    private static Map<String, List<String>> firstCalls(byte[] bytes) {
        Map<String, List<String>> out = new java.util.HashMap<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                List<String> first = new ArrayList<>();
                out.put(name + descriptor, first);
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitVarInsn(int opcode, int var) {
                        add(opcode == Opcodes.ALOAD ? "ALOAD " + var : "VAR " + opcode);
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String mname, String desc, boolean itf) {
                        add((opcode == Opcodes.INVOKESTATIC ? "INVOKESTATIC " : "INVOKE ") + owner + "." + mname);
                    }

                    @Override
                    public void visitInsn(int opcode) {
                        add("INSN " + opcode);
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String fname, String desc) {
                        add("FIELD " + fname);
                    }

                    private void add(String s) {
                        if (first.size() < 2) {
                            first.add(s);
                        }
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return out;
    }
}
