/**
 * The heap profile from JFR: {@link dev.leakhound.heapprofile.jfr.JfrProfileBuilder} takes JFR's events one at a
 * time (from a file, or from a recording the agent streams) and aggregates them by stack as it goes, bounded;
 * {@link dev.leakhound.heapprofile.jfr.JfrRecording} reads a recording file into it, failing with {@link
 * dev.leakhound.heapprofile.jfr.JfrFormatException} (the file and what broke). Uses {@code heapprofile} and core's
 * {@code model}, the JDK's {@code jdk.jfr} and nothing else (the agent carries it).
 */
package dev.leakhound.heapprofile.jfr;
