/**
 * Leakhound for JUnit Jupiter: {@link dev.leakhound.junit.CheckThreadLeaks @CheckThreadLeaks} fails tests
 * that leave platform or virtual threads behind; {@link dev.leakhound.junit.LeakhoundExtension} does the
 * work and can also be enabled suite-wide through JUnit's extension auto-detection.
 */
package dev.leakhound.junit;
