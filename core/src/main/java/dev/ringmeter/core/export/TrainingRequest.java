package dev.ringmeter.core.export;

/**
 * What a training-data export writes: the events of an {@link ExportRequest} (its range, filter, gzip and cursor;
 * its format is not used: training data is JSONL), in batches of at least {@link #batchSize()} rows, each row
 * assigned to the train or the test split by run or by time.
 * <p>
 * Threading: filled by one thread, then read by the export that runs it; not changed while it runs.
 */
public final class TrainingRequest {
    /** How rows are assigned to the train and test splits. */
    public enum Split {
        /** Every row in "train". */
        NONE,
        /** By a hash of the run (every event of a run in the same split, so none leaks between them). */
        RUN,
        /** By time: the last testShare of the range is "test". */
        TIME
    }

    /** Rows a batch holds at least, unless {@link #batchSize(int)} says otherwise. */
    public static final int DEFAULT_BATCH_SIZE = 10_000;
    /** The most rows a batch may be asked to hold. */
    public static final int MAX_BATCH_SIZE = 1_000_000;

    private final ExportRequest rows;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private Split split = Split.NONE;
    private double testShare = 0.2;

    /**
     * @param rows the events to write (range, filter, gzip, cursor).
     */
    public TrainingRequest(final ExportRequest rows) {
        this.rows = rows;
    }

    /**
     * @param batchSize rows a batch holds at least (a batch ends at the first journal document boundary after
     *                  them, so that its cursor resumes exactly after it), 1 to {@value #MAX_BATCH_SIZE}.
     * @return this.
     * @throws IllegalArgumentException if out of range.
     */
    public TrainingRequest batchSize(final int batchSize) {
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batchSize must be from 1 to " + MAX_BATCH_SIZE + ", not " + batchSize);
        }
        this.batchSize = batchSize;
        return this;
    }

    /**
     * @param split     how rows are assigned to train and test.
     * @param testShare the share of runs (by hash) or of the range's time that is "test", 0 to 1.
     * @return this.
     * @throws IllegalArgumentException if the share is not within 0 to 1.
     */
    public TrainingRequest split(final Split split, final double testShare) {
        if (!(testShare >= 0 && testShare <= 1)) {
            throw new IllegalArgumentException("testShare must be from 0 to 1, not " + testShare);
        }
        this.split = split;
        this.testShare = testShare;
        return this;
    }

    public ExportRequest rows() {
        return rows;
    }

    public int batchSize() {
        return batchSize;
    }

    public Split split() {
        return split;
    }

    public double testShare() {
        return testShare;
    }
}
