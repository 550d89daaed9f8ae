package dev.ringmeter.core.decide;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A histogram's values by rank: the value of each non-empty bucket and the count up to it, so that the r-th
 * smallest of the recorded values is found by a binary search rather than a walk of the counts. The value of a
 * bucket is its highest equivalent value, the one {@link AbstractHistogram#getValueAtPercentile} reports.
 * <p>
 * Memory: two arrays of the histogram's non-empty buckets (at most its counts array: about 3,300 entries at 2
 * significant digits over a day in microseconds), whatever the count of values.
 * <p>
 * Threading: immutable once built; built from a histogram that no thread changes meanwhile.
 */
final class HistogramRanks {
    private final long[] values;
    private final long[] cumulative;

    HistogramRanks(final AbstractHistogram histogram) {
        int buckets = 0;
        for (final HistogramIterationValue ignored : histogram.recordedValues()) {
            buckets++;
        }
        values = new long[buckets];
        cumulative = new long[buckets];
        int i = 0;
        for (final HistogramIterationValue v : histogram.recordedValues()) {
            values[i] = v.getValueIteratedTo();
            cumulative[i] = v.getTotalCountToThisValue();
            i++;
        }
    }

    /** @return the count of values. */
    long count() {
        return cumulative.length == 0 ? 0 : cumulative[cumulative.length - 1];
    }

    /**
     * @param rank 1 to {@link #count()}.
     * @return the rank-th smallest value.
     */
    long valueAtRank(final long rank) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (cumulative[mid] >= rank) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return values[lo];
    }

    /**
     * The rank of the p-th percentile of n values, as {@link AbstractHistogram#getValueAtPercentile} takes it:
     * ceil(p n / 100), at least 1.
     *
     * @param percentile above 0 and below 100.
     * @param n          the count of values, at least 1.
     * @return the rank.
     */
    static long rankOf(final double percentile, final long n) {
        return Math.max(1, (long)Math.ceil(Math.nextDown(percentile) * n / 100.0));
    }
}
