/**
 * Internal, not API: this JVM's garbage collections, watched live through the JVM's GC notifications
 * ({@link dev.leakhound.agent.gcwatch.GcNotifications}), turned into core's {@code dev.leakhound.gc} model. Core's
 * {@code dev.leakhound.gc} reads GC logs; this package reads no log. Depends on leakhound-core only.
 */
package dev.leakhound.agent.gcwatch;
