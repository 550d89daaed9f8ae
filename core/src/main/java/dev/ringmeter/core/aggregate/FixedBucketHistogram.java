package dev.ringmeter.core.aggregate;

/**
 * A histogram with fixed upper bounds, as Prometheus and the OpenTelemetry GenAI conventions define their
 * buckets: a count per bound (not cumulative) and one above the last bound, the sum of the values and their count.
 * Unlike the store's HdrHistograms it never forgets: it counts since the store was created.
 * <p>
 * Threading: not thread-safe. The aggregate writer's instances are copied only under the aggregates' lock or by the
 * writer itself; a copy ({@link Aggregates#totals()}) belongs to its reader, who cannot change it.
 */
public final class FixedBucketHistogram {
    private final double[] bounds;
    /** What a recorded value is multiplied by to be in the bounds' unit (1e-9 for nanoseconds in seconds). */
    private final double scale;
    final long[] counts;
    /** The sum of the values as recorded, before {@link #scale}. */
    double rawSum;

    /**
     * @param bounds upper bounds, ascending, in the unit the histogram reports; shared, never written.
     * @param scale  what a recorded value is multiplied by to be in that unit: the writer records the values it
     *               has (nanoseconds, tokens) and pays no conversion per value.
     */
    FixedBucketHistogram(final double[] bounds, final double scale) {
        this.bounds = bounds;
        this.scale = scale;
        this.counts = new long[bounds.length + 1];
    }

    /**
     * Counts a value in a bucket its caller computed.
     *
     * @param bucket   index of the first bound at least the value (in the bounds' unit), or {@link #boundCount()}
     *                 if above them all.
     * @param rawValue the value as recorded, before the scale.
     */
    void record(final int bucket, final long rawValue) {
        counts[bucket]++;
        rawSum += rawValue;
    }

    /**
     * @param value a value.
     * @return the index of the first bound at least the value, or {@link #boundCount()} if above them all.
     */
    int bucketOf(final double value) {
        final double[] b = bounds;
        int i = 0;
        while (i < b.length && value > b[i]) {   // a short scan: the values are mostly in the first buckets
            i++;
        }
        return i;
    }

    /** @return a copy with its own counts and the same bounds. */
    FixedBucketHistogram copy() {
        final FixedBucketHistogram h = new FixedBucketHistogram(bounds, scale);
        copyInto(h);
        return h;
    }

    /**
     * @param h a histogram with the same bounds, made to hold what this one holds (allocates nothing).
     */
    void copyInto(final FixedBucketHistogram h) {
        System.arraycopy(counts, 0, h.counts, 0, counts.length);
        h.rawSum = rawSum;
    }

    /** @return the number of upper bounds (the bucket above the last is not counted here). */
    public int boundCount() {
        return bounds.length;
    }

    /**
     * @param i index of a bound, less than {@link #boundCount()}.
     * @return the bound.
     */
    public double bound(final int i) {
        return bounds[i];
    }

    /**
     * @param i index of a bound, less than {@link #boundCount()}.
     * @return how many values were less than or equal to bound i.
     */
    public long cumulativeCount(final int i) {
        long n = 0;
        for (int k = 0; k <= i; k++) {
            n += counts[k];
        }
        return n;
    }

    /** @return the sum of every value counted, in the bounds' unit. */
    public double sum() {
        return rawSum * scale;
    }

    /** @return how many values were counted. */
    public long count() {
        long n = 0;
        for (final long c : counts) {
            n += c;
        }
        return n;
    }
}
