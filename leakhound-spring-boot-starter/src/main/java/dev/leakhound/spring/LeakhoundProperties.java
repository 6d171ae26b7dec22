package dev.leakhound.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * Leakhound's settings, under {@code leakhound.}.
 *
 * <pre>
 * leakhound.capture-max-age=5s          how long one capture of the threads serves the meters and the endpoint
 * leakhound.detector.enabled=false      the growth detector inside the application (one daemon thread)
 * leakhound.detector.interval=10s       time between its samples
 * leakhound.detector.window=3           samples a growth is judged over
 * leakhound.detector.min-growth=2       threads a site must gain over the window to be named
 * </pre>
 */
@ConfigurationProperties("leakhound")
public class LeakhoundProperties {
    private Duration captureMaxAge = Duration.ofSeconds(5);
    private final Detector detector = new Detector();

    public Duration getCaptureMaxAge() {
        return captureMaxAge;
    }

    public void setCaptureMaxAge(Duration captureMaxAge) {
        this.captureMaxAge = captureMaxAge;
    }

    public Detector getDetector() {
        return detector;
    }

    /** The growth detector's settings, under {@code leakhound.detector.}. */
    public static class Detector {
        private boolean enabled;
        private Duration interval = Duration.ofSeconds(10);
        private int window = 3;
        private int minGrowth = 2;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public int getWindow() {
            return window;
        }

        public void setWindow(int window) {
            this.window = window;
        }

        public int getMinGrowth() {
            return minGrowth;
        }

        public void setMinGrowth(int minGrowth) {
            this.minGrowth = minGrowth;
        }
    }
}
