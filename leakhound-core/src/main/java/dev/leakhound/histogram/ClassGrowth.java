package dev.leakhound.histogram;

import java.util.Objects;

/**
 * How one class grew between two class histograms (see {@link ClassHistogram#diff}).
 *
 * @param className      the class, as the histogram names it ({@code [B}, {@code java.lang.String})
 * @param module         its module with version ({@code java.base@25.0.3}), or {@code null} when none
 * @param instances      its live instances in the newer histogram
 * @param bytes          their size in bytes in the newer histogram
 * @param instancesDelta instances in the newer minus in the older histogram
 * @param bytesDelta     bytes in the newer minus in the older histogram
 */
public record ClassGrowth(String className, String module, long instances, long bytes, long instancesDelta,
                          long bytesDelta) {
    public ClassGrowth {
        Objects.requireNonNull(className, "className");
    }

    /** Whether the class was absent from the older histogram. */
    public boolean isNew() {
        return instances == instancesDelta && bytes == bytesDelta;
    }
}
