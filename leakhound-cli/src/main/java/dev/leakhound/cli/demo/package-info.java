/**
 * {@code leakhound demo}: {@link dev.leakhound.cli.demo.DemoCommand} runs the seed article's programs (MultiQuery
 * and the "sentinel agent" monitoring service of leakhound-examples, not a Java agent) under the leak check, then
 * live with Leakhound's agent ({@code LiveSentinelDemo}) and post mortem in another JVM ({@code PostMortemDemo}).
 *
 * <p>Uses the commands' package ({@code Main}'s exit statuses, {@code leakhound heap}'s proof text); no command
 * depends on the demo but {@code Main}, which registers it.
 */
package dev.leakhound.cli.demo;
