package dev.ringmeter.core.report;

/**
 * What a report covers: a time range, or a run (optionally compared to another run). Made by {@link #between},
 * {@link #last} or {@link #run}.
 * <p>
 * Threading: immutable; any thread.
 *
 * @param fromMs       start, inclusive, epoch ms; 0 for a run (its own span is used).
 * @param toMs         end, exclusive; 0 for a run.
 * @param runId        the run reported on, or null for a time range.
 * @param compareRunId the run the report compares {@code runId} to, or null.
 */
public record ReportRequest(long fromMs, long toMs, String runId, String compareRunId) {
    /** The widest range a report covers: 400 days. */
    public static final long MAX_RANGE_MS = 400L * 24 * 3_600_000L;

    /** @throws IllegalArgumentException naming the bad field. */
    public ReportRequest {
        if (runId == null) {
            if (compareRunId != null) {
                throw new IllegalArgumentException("compare: only a run's report compares to another run");
            }
            if (fromMs < 0 || toMs <= fromMs) {
                throw new IllegalArgumentException("from/to: the range must end after it starts and not before 1970");
            }
            if (toMs - fromMs > MAX_RANGE_MS) {
                throw new IllegalArgumentException("from/to: a report covers at most 400 days");
            }
        } else {
            if (runId.isEmpty()) {
                throw new IllegalArgumentException("run: the run id is empty");
            }
            if (runId.equals(compareRunId)) {
                throw new IllegalArgumentException("compare: a run is compared to another run, not to itself");
            }
        }
    }

    /**
     * @param fromMs start, inclusive.
     * @param toMs   end, exclusive.
     * @return a report of that range.
     */
    public static ReportRequest between(final long fromMs, final long toMs) {
        return new ReportRequest(fromMs, toMs, null, null);
    }

    /**
     * @param windowMs how far back from {@code nowMs}.
     * @param nowMs    the end, exclusive.
     * @return a report of the last {@code windowMs}.
     */
    public static ReportRequest last(final long windowMs, final long nowMs) {
        return between(nowMs - windowMs, nowMs);
    }

    /**
     * @param runId        the run.
     * @param compareRunId the run to compare it to (the baseline), or null.
     * @return a report of the run.
     */
    public static ReportRequest run(final String runId, final String compareRunId) {
        return new ReportRequest(0, 0, runId, compareRunId);
    }
}
