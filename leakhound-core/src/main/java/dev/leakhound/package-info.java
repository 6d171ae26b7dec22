/**
 * The leak check, Leakhound's goleak: {@link dev.leakhound.Leakhound#find} and
 * {@link dev.leakhound.Leakhound#verifyNone} capture every thread, drop what the {@link dev.leakhound.LeakOptions}
 * ignore ({@link dev.leakhound.DefaultIgnores}, a {@link dev.leakhound.Baseline}, the user's
 * {@link dev.leakhound.IgnoreRule}s) and retry as the {@link dev.leakhound.RetryPolicy} says before reporting.
 *
 * <p>Built on {@code capture}, {@code model}, {@code analysis} and {@code report}; nothing below depends on it,
 * and it depends on no front end (JUnit, agent, CLI).
 */
package dev.leakhound;
