package dev.leakhound.proof;

import dev.leakhound.analysis.WaitSite;
import dev.leakhound.hprof.index.HeapFrame;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.proof.WaitingThread.Wait;

import java.util.ArrayList;
import java.util.List;

/**
 * The blocking call of a dump's stack ({@link ProofResult.Call}), by the rule of core's {@code analysis.WaitSite}
 * (which thread dumps use too, so both say {@code LinkedBlockingQueue.take} for the same wait): the outermost JDK
 * frame above the first application frame, or with no application frame the first JDK frame that is not parking
 * machinery. The frames are handed to it by class and method only; what it answers is mapped back to the dump's.
 */
final class Calls {
    private Calls() {
    }

    static ProofResult.Call of(List<HeapFrame> stack, Wait wait) {
        if (stack.isEmpty()) {
            return new ProofResult.Call(null, null);
        }
        List<StackFrame> frames = new ArrayList<>(stack.size());
        for (HeapFrame f : stack) {
            frames.add(new StackFrame(null, f.className(), f.methodName(), null, frames.size()));   // line = depth
        }
        Blocker entering = wait == Wait.BLOCKED ? new Blocker(Blocker.Kind.ENTERING, "?", null, null) : null;
        ThreadSnapshot t = new ThreadSnapshot(0, "", false, null,
                wait == Wait.BLOCKED ? Thread.State.BLOCKED : Thread.State.WAITING, frames, entering, List.of(), null,
                null, null);
        WaitSite site = WaitSite.of(t);
        HeapFrame at = site.blockingFrame() == null ? null : stack.get(site.blockingFrame().lineNumber());
        return new ProofResult.Call(site.call(), at);
    }
}
