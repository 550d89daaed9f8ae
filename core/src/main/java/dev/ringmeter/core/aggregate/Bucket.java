package dev.ringmeter.core.aggregate;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One time bucket of a tier: the {@link Measures} of the events whose time falls in [startMs, startMs + width of
 * its tier). A tier's ring reuses its buckets: {@link #reuse(long)} empties one for a new interval and keeps its
 * histograms, so a ring stops allocating once its buckets have seen their range of values.
 * <p>
 * Threading: owned by the aggregate writer, which changes it only while no reader holds it (see
 * {@link CopyOnWrite}): a window query pins it under the aggregates' lock ({@link #pin()}, from any thread) and
 * reads it after releasing the lock, then unpins it; a snapshot reads it while it is frozen. A bucket held so is
 * never changed: the writer changes a copy in its place.
 */
final class Bucket {
    /** The heap of the bucket itself, beside its measures. */
    static final long OWN_BYTES = 24;
    /** The start of a bucket that holds no interval. */
    static final long NO_TIME = Long.MIN_VALUE;
    private static final VarHandle PINS;

    static {
        try {
            PINS = MethodHandles.lookup().findVarHandle(Bucket.class, "pins", int.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Start of the bucket's interval, epoch ms, or {@link #NO_TIME}. */
    long startMs = NO_TIME;
    /** What the bucket's events add up to. */
    final Measures measures;
    /** The {@link CopyOnWrite} generation in which the writer took this bucket into a ring; writer only. */
    long generation;
    /** Window queries reading this bucket without the lock. */
    private volatile int pins;

    /**
     * @param histogramDigits significant digits of the histograms.
     * @param longCounts      whether histogram counts need 64 bits (coarse tiers).
     * @param qualityNames    the number of distinct quality score names the store allows.
     */
    Bucket(final int histogramDigits, final boolean longCounts, final int qualityNames) {
        this(histogramDigits, longCounts, qualityNames, false);
    }

    /**
     * @param latencyOnly whether its measures keep only the latency histogram (see {@link Measures}).
     */
    Bucket(final int histogramDigits, final boolean longCounts, final int qualityNames, final boolean latencyOnly) {
        this.measures = new Measures(histogramDigits, longCounts, qualityNames, latencyOnly);
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

    /**
     * Makes this bucket hold a copy of another's interval and measures (the sum of nothing and them).
     *
     * @param other the bucket to copy, which nobody changes meanwhile.
     */
    void copyFrom(final Bucket other) {
        measures.copyFrom(other.measures);
        startMs = other.startMs;
    }

    /** A reader holds this bucket: the writer will not change it. Under the aggregates' lock, any thread. */
    void pin() {
        PINS.getAndAdd(this, 1);
    }

    /** A reader is done with this bucket. Any thread. */
    void unpin() {
        PINS.getAndAdd(this, -1);
    }

    /** @return whether a window query holds this bucket. */
    boolean pinned() {
        return pins != 0;
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
