/**
 * The leaked-thread proof on an indexed heap dump. {@link dev.leakhound.proof.LeakProof#prove} runs its steps, one
 * package-private class each (Refusal, Candidates, Deadlocks, Marking with the rescue rounds, Grouping, Patterns, RetainedSizes,
 * ShortestPaths with Pools, all walking one Graph), and returns a {@link dev.leakhound.proof.ProofResult}, which
 * {@link dev.leakhound.proof.ProofText} and {@link dev.leakhound.proof.ProofJson} write. {@code DumpThreads} reads the
 * dump's threads as {@code WaitingThread}s; it is public also for hprof's {@code DanglingIdTest}. Depends on
 * {@code dev.leakhound.hprof} and core's {@code model}, {@code analysis} (the blocking call's rule, {@code WaitSite},
 * that thread dumps use too) and {@code report} (its text format); never on the CLI nor the agent, which call it.
 */
package dev.leakhound.proof;
