package dev.leakhound.junit;

import dev.leakhound.LeakOptions;
import dev.leakhound.LeakReport;
import dev.leakhound.Leakhound;

import java.util.Set;

/** What the extension asks of the core: a seam so that tests can make capture fail. */
interface ThreadCapture {

    /** Ids of all live threads, platform and virtual. */
    Set<Long> liveThreadIds();

    /** {@link Leakhound#find(LeakOptions)}. */
    LeakReport find(LeakOptions options);

    ThreadCapture LIVE = new ThreadCapture() {
        @Override
        public Set<Long> liveThreadIds() {
            return LeakOptions.builder().ignoreCurrent().build().baseline();
        }

        @Override
        public LeakReport find(LeakOptions options) {
            return Leakhound.find(options);
        }
    };
}
