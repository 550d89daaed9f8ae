package dev.ringmeter.core.aggregate;

/**
 * One time bucket of a tier: the {@link Measures} of the events whose time falls in [startMs, startMs + width of
 * its tier). A tier's ring reuses its buckets: {@link #reuse(long)} empties one for a new interval and keeps its
 * histograms, so a ring stops allocating once its buckets have seen their range of values.
 * <p>
 * Threading: not thread-safe. Owned by the aggregate writer; readers see it only under the aggregates' lock.
 */
final class Bucket {
    /** The heap of the bucket itself, beside its measures. */
    static final long OWN_BYTES = 24;
    /** The start of a bucket that holds no interval. */
    static final long NO_TIME = Long.MIN_VALUE;

    /** Start of the bucket's interval, epoch ms, or {@link #NO_TIME}. */
    long startMs = NO_TIME;
    /** What the bucket's events add up to. */
    final Measures measures;

    /**
     * @param histogramDigits significant digits of the histograms.
     * @param longCounts      whether histogram counts need 64 bits (coarse tiers).
     * @param qualityNames    the number of distinct quality score names the store allows.
     */
    Bucket(final int histogramDigits, final boolean longCounts, final int qualityNames) {
        this.measures = new Measures(histogramDigits, longCounts, qualityNames);
    }

    /**
     * Empties the bucket and gives it a new interval.
     *
     * @param startMs start of the new interval.
     */
    void reuse(final long startMs) {
        measures.reset();
        this.startMs = startMs;
    }

    /** @return whether any event or sample was added. */
    boolean isEmpty() {
        return measures.count == 0;
    }

    /**
     * @return an estimate of the heap this bucket holds, in bytes.
     */
    long footprintBytes() {
        return OWN_BYTES + measures.footprintBytes();
    }
}
