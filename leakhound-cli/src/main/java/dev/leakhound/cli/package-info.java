/**
 * The {@code leakhound} command line: {@link dev.leakhound.cli.Main} (exit statuses, one-line errors) and one
 * file per command ({@code threads}, {@code heap}, {@code gc}, {@code jfr}, {@code attach}); a new command goes here,
 * and {@code Main.COMMANDS} registers it. {@link dev.leakhound.cli.LauncherAgent} keeps the instrumentation {@code java -jar}
 * hands over. The demo is in {@code cli.demo}.
 *
 * <p>A front end: uses core, leakhound-heap and leakhound-agent; nothing depends on it.
 */
package dev.leakhound.cli;
