package dev.leakhound.analysis;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;

import java.util.List;

/**
 * What a thread waits on, in the words of the code that called it: {@code SynchronousQueue.put},
 * {@code CountDownLatch.await}, {@code Object.wait}, {@code ReentrantLock.lock}, a {@code synchronized}
 * block; and the application line that made the call.
 *
 * <p>The call is the outermost JDK frame above the first application frame: the API the application
 * called, whatever the JDK does inside it (the blocker class alone would say
 * {@code SynchronousQueue$Transferer} or {@code CompletableFuture$Signaller}). For a thread with only
 * JDK frames (an idle pool worker) it is the first frame that is not parking machinery, e.g.
 * {@code LinkedBlockingQueue.take}.
 *
 * @param call          plain words, e.g. {@code SynchronousQueue.put}; {@code synchronized} when the
 *                      thread waits to enter a monitor in application code; {@code null} when the
 *                      stack says nothing (no frames)
 * @param callFrame     the frame of that call, or {@code null}
 * @param blockingFrame the first application frame: the line that blocked, or {@code null} if none
 */
public record WaitSite(String call, StackFrame callFrame, StackFrame blockingFrame) {

    public static WaitSite of(ThreadSnapshot t) {
        List<StackFrame> stack = t.stack();
        if (stack.isEmpty()) {
            return new WaitSite(null, null, null);
        }
        int app = -1;
        for (int i = 0; i < stack.size(); i++) {
            if (!stack.get(i).isJdk()) {
                app = i;
                break;
            }
        }
        if (app == 0) {
            StackFrame top = stack.get(0);
            Blocker b = t.blocker();
            String call = b != null && b.kind() == Blocker.Kind.ENTERING ? "synchronized" : top.shortName();
            return new WaitSite(call, top, top);
        }
        if (app > 0) {
            StackFrame api = stack.get(app - 1);
            return new WaitSite(api.shortName(), api, stack.get(app));
        }
        for (StackFrame f : stack) {
            if (!JdkFrames.isMachinery(f)) {
                return new WaitSite(f.shortName(), f, null);
            }
        }
        StackFrame top = stack.get(0);
        return new WaitSite(top.shortName(), top, null);
    }

    /**
     * Whether the thread is blocked with no timeout: WAITING or BLOCKED. Such a thread only moves on if
     * another thread acts. When the source gives no state (JDK 21-24 JSON for virtual threads), it is
     * inferred from the top frames: parked, waiting or entering a monitor with no timed call
     * ({@code parkNanos}, {@code sleep}, ...) among them. {@code Object.wait(long)} cannot be told from
     * {@code Object.wait()} by its frames, so an unknown-state wait counts as untimed.
     */
    public static boolean isBlockedWithoutTimeout(ThreadSnapshot t) {
        Thread.State s = t.state();
        if (s != null) {
            return s == Thread.State.WAITING || s == Thread.State.BLOCKED;
        }
        boolean parkedOrWaiting = false;
        int n = Math.min(t.stack().size(), 8);
        for (int i = 0; i < n; i++) {
            StackFrame f = t.stack().get(i);
            String m = f.methodName();
            if (m.contains("Nanos") || m.contains("Until") || m.startsWith("sleep") || m.startsWith("timed")) {
                return false;
            }
            if (m.equals("park") || m.equals("wait0") || m.equals("await")) {
                parkedOrWaiting = true;
            }
        }
        return parkedOrWaiting || t.blocker() != null && t.blocker().kind() == Blocker.Kind.ENTERING;
    }
}
