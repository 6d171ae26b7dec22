/**
 * Leakhound in a Spring Boot 3 application: {@link dev.leakhound.spring.LeakhoundAutoConfiguration} registers the
 * Micrometer meters, the {@code /actuator/leakhound} endpoint ({@link dev.leakhound.spring.LeakhoundEndpoint}) and,
 * with {@code leakhound.detector.enabled=true}, the growth detector. Uses the {@code micrometer} room and core's
 * {@code analysis}, {@code report} and {@code model}; nothing of the agent.
 */
package dev.leakhound.spring;
