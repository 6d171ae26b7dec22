/**
 * What a thread dump says, as immutable records: a {@link dev.leakhound.model.ThreadDump} of
 * {@link dev.leakhound.model.ThreadSnapshot}s with their frames, blockers, held monitors and, where known, the
 * {@link dev.leakhound.model.CreationSite} that started them. Every other room reads and writes these.
 *
 * <p>Depends on nothing but the JDK.
 */
package dev.leakhound.model;
