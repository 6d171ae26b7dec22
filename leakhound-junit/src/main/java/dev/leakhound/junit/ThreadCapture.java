package dev.leakhound.junit;

import dev.leakhound.Baseline;
import dev.leakhound.LeakOptions;
import dev.leakhound.LeakReport;
import dev.leakhound.Leakhound;


/** What the extension asks of the core: a seam so that tests can make capture fail. */
interface ThreadCapture {

    /** All live threads, platform and virtual, with their stacks. */
    Baseline baseline();

    /** {@link Leakhound#find(LeakOptions)}. */
    LeakReport find(LeakOptions options);

    ThreadCapture LIVE = new ThreadCapture() {
        @Override
        public Baseline baseline() {
            return Baseline.capture();
        }

        @Override
        public LeakReport find(LeakOptions options) {
            return Leakhound.find(options);
        }
    };
}
