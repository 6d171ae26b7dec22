package dev.leakhound.hprof;

/** Progress of a long pass over a file: bytes done of a total. */
public interface Progress {

    /** Reports nothing. */
    Progress NONE = new Progress() {
        @Override
        public void update(String phase, long done, long total) {
        }

        @Override
        public void done() {
        }
    };

    /** {@code done} of {@code total} bytes of {@code phase} ("reading x.hprof"); total -1 when unknown. */
    void update(String phase, long done, long total);

    /** The work is over (success or failure). */
    void done();
}
