package dev.leakhound.hprof;

import java.time.Instant;

/**
 * The start of an HPROF file: {@code "JAVA PROFILE 1.0.2"} (1.0.1 for unsegmented dumps), NUL, the size of
 * identifiers (4 or 8), the time of the dump in milliseconds.
 *
 * @param format     the format string, e.g. {@code JAVA PROFILE 1.0.2}
 * @param idSize     bytes per identifier (object ids, string ids): 8 for 64-bit HotSpot, 4 for 32-bit
 * @param timeMillis when the dump was taken, milliseconds since the epoch
 * @param length     bytes of the header itself: where the first record starts
 * @param gzipped    whether the file was gzip-compressed
 */
public record HprofHeader(String format, int idSize, long timeMillis, int length, boolean gzipped) {

    public Instant time() {
        return Instant.ofEpochMilli(timeMillis);
    }
}
