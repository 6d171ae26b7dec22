/**
 * What the threads of a dump mean: {@link dev.leakhound.analysis.ThreadGrouping} folds threads with the same
 * state, blocker and stack into {@link dev.leakhound.analysis.StackGroup}s, {@link dev.leakhound.analysis.WaitSite}
 * names the call a thread waits in, and {@link dev.leakhound.analysis.GrowthDetector} finds the groups that grow
 * from one sample to the next ({@link dev.leakhound.analysis.GrowingGroup}).
 *
 * <p>Works on {@code model} only; never on {@code report}, {@code gc} or a front end.
 */
package dev.leakhound.analysis;
