package dev.leakhound.agent.instrument;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Puts a call to {@code jdk.internal.vm.LeakhoundThreadStarts_N} (the copy of {@code boot.ThreadStarts} that
 * {@link StartTracking} defines in {@code java.base}) at the top of the JDK methods where threads start and end:
 * <ul>
 *   <li>{@code Thread.start()} and {@code Thread.start(ThreadContainer)}: platform threads, alone or in an executor;</li>
 *   <li>{@code VirtualThread.start(ThreadContainer)}: every virtual thread ({@code start()} calls it);</li>
 *   <li>{@code Thread.exit()}: the VM calls it when a platform thread ends;</li>
 *   <li>{@code VirtualThread.afterDone} (JDK 22+) or {@code afterTerminate} (JDK 21): a virtual thread ends, or
 *       its start failed;</li>
 *   <li>the constructor of {@code ThreadPoolExecutor} that the others call, before each of its returns (a
 *       constructor's {@code this} can be handed out only once it is initialized): where a pool was created.</li>
 * </ul>
 * Only code is added at the entry of each method ({@code aload_0; invokestatic}): no frame, branch or local
 * changes, which is why it needs no class hierarchy and works on any JDK whose class files ASM reads. Which hooks
 * went in is kept in {@link #applied()}; a class it cannot transform is left as it was.
 */
final class StartHooks implements ClassFileTransformer {
    static final String HOOKS = dev.leakhound.agent.boot.ThreadStarts.JDK_NAME.replace('.', '/');
    static final String THREAD = "java/lang/Thread";
    static final String VIRTUAL_THREAD = "java/lang/VirtualThread";
    static final String POOL = "java/util/concurrent/ThreadPoolExecutor";
    /** The constructor every other {@code ThreadPoolExecutor} constructor calls. */
    static final String POOL_CONSTRUCTOR = "(IIJLjava/util/concurrent/TimeUnit;Ljava/util/concurrent/BlockingQueue;"
            + "Ljava/util/concurrent/ThreadFactory;Ljava/util/concurrent/RejectedExecutionHandler;)V";
    private static final String CONTAINER_START = "(Ljdk/internal/vm/ThreadContainer;)V";

    private final Set<String> applied = ConcurrentHashMap.newKeySet();
    private volatile Throwable failure;

    /** The hooks in place, as {@code Class.method(descriptor)->hook}. */
    Set<String> applied() {
        return Set.copyOf(applied);
    }

    /** Why a transformation failed, or {@code null}. */
    Throwable failure() {
        return failure;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain domain, byte[] classfileBuffer) {
        if (loader != null || !(THREAD.equals(className) || VIRTUAL_THREAD.equals(className) || POOL.equals(className))) {
            return null;
        }
        try {
            ClassReader reader = new ClassReader(classfileBuffer);
            boolean endWithFlag = hasEndWithFlag(reader);
            ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                 String[] exceptions) {
                    MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                    if (POOL.equals(className)) {
                        return poolConstructor(name, descriptor, mv);
                    }
                    String hook = hookFor(className, name, descriptor, access, endWithFlag);
                    if (hook == null) {
                        return mv;
                    }
                    applied.add(className.replace('/', '.') + "." + name + descriptor + "->" + hook);
                    return new MethodVisitor(Opcodes.ASM9, mv) {
                        @Override
                        public void visitCode() {
                            super.visitCode();
                            super.visitVarInsn(Opcodes.ALOAD, 0);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, hook, "(Ljava/lang/Thread;)V", false);
                        }
                    };
                }
            }, 0);
            return writer.toByteArray();
        } catch (Throwable t) {
            failure = t;
            return null;
        }
    }

    /** For the pool constructor every other calls: {@code aload_0; invokestatic poolCreated} before each return. */
    private MethodVisitor poolConstructor(String name, String descriptor, MethodVisitor mv) {
        if (!name.equals("<init>") || !descriptor.equals(POOL_CONSTRUCTOR)) {
            return mv;
        }
        applied.add(POOL.replace('/', '.') + "." + name + descriptor + "->poolCreated");
        return new MethodVisitor(Opcodes.ASM9, mv) {
            @Override
            public void visitInsn(int opcode) {
                if (opcode == Opcodes.RETURN) {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "poolCreated", "(Ljava/lang/Object;)V", false);
                }
                super.visitInsn(opcode);
            }
        };
    }

    /** Whether the class has an {@code afterDone(boolean...)}/{@code afterTerminate(boolean...)} to hook. */
    private static boolean hasEndWithFlag(ClassReader reader) {
        boolean[] found = new boolean[1];
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (isEnd(name) && descriptor.startsWith("(Z")) {
                    found[0] = true;
                }
                return null;
            }
        }, ClassReader.SKIP_CODE);
        return found[0];
    }

    private static boolean isEnd(String name) {
        return name.equals("afterDone") || name.equals("afterTerminate");
    }

    /**
     * {@code started}, {@code ended} or {@code null} for a method that gets no hook. Of a virtual thread's end
     * methods only those taking the flag are hooked when there are such (the others call them), else all.
     */
    static String hookFor(String className, String name, String descriptor, int access, boolean endWithFlag) {
        if ((access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
            return null;
        }
        if (THREAD.equals(className)) {
            if (name.equals("start") && (descriptor.equals("()V") || descriptor.equals(CONTAINER_START))) {
                return "started";
            }
            if (name.equals("exit") && descriptor.equals("()V")) {
                return "ended";
            }
        } else if (VIRTUAL_THREAD.equals(className)) {
            if (name.equals("start") && descriptor.equals(CONTAINER_START)) {
                return "started";
            }
            if (isEnd(name) && (!endWithFlag || descriptor.startsWith("(Z"))) {
                return "ended";
            }
        }
        return null;
    }
}
