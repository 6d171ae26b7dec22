/**
 * Leakhound for JUnit Jupiter: {@link dev.leakhound.junit.CheckThreadLeaks @CheckThreadLeaks} fails tests
 * that leave platform or virtual threads behind; {@link dev.leakhound.junit.LeakhoundExtension} does the
 * work and can also be enabled suite-wide through JUnit's extension auto-detection.
 *
 * <p>A front end: depends on core's leak check and JUnit's extension API only.
 */
package dev.leakhound.junit;
