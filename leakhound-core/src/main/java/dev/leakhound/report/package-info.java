/**
 * Thread groups out: {@link dev.leakhound.report.TextReport} and {@link dev.leakhound.report.JsonReport} write
 * the {@code analysis} results as the leak check, the CLI and the agent's endpoints print them.
 *
 * <p>Depends on {@code analysis} and {@code model}; nothing in core depends on it but the leak check's root
 * package; never on a front end.
 */
package dev.leakhound.report;
