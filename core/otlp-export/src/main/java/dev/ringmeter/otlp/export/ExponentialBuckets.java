package dev.ringmeter.otlp.export;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.internal.PrimitiveLongList;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramBuckets;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.Collections;
import java.util.List;

/**
 * Converts an HdrHistogram of the store (values in integer units, e.g. microseconds) into an OTLP base-2 exponential
 * histogram point (values multiplied by a unit factor, e.g. 1e-6 for seconds). The one place of that conversion and
 * of its error.
 * <p>
 * The scale: the first is the finest whose bucket is no wider than the HdrHistogram's own precision,
 * {@code 2^(2^-scale) - 1 <= 10^-digits} (scale 7 for the store's default 2 significant digits), capped at
 * {@link #MAX_SCALE} (the finest Prometheus' native histograms keep); it is then lowered one step at a time (each step
 * halves the buckets, index {@code i} becoming {@code i >> 1}) until the point's positive buckets span at most
 * {@link #MAX_BUCKETS}, the OpenTelemetry SDK's default. Each HdrHistogram bucket's count goes whole into the
 * exponential bucket {@code (base^i, base^(i+1)]}, {@code base = 2^(2^-scale)}, that holds its median equivalent
 * value; a value of 0 goes to the zero bucket.
 * <p>
 * The error: a reader that places each bucket at its geometric midpoint is within a factor {@code 2^(2^-scale / 2)}
 * of every value of the bucket, and the HdrHistogram had kept each value within {@code 10^-digits} of itself, so a
 * percentile read from the point is within {@link #worstRelativeError(int, int)} of the store's: at scale 7 (a range
 * of at most 1.25 octaves) and 2 digits 1.3 %; at scale 4 (16 buckets an octave: a range of up to 10 octaves, e.g.
 * 10 ms to 9 s) 3.2 %; at scale 3 (up to 20 octaves) 5.4 %.
 * <p>
 * Threading: stateless; any thread. Each call allocates the point it returns (the export runs on its own thread,
 * off the recording path).
 */
public final class ExponentialBuckets {
    /** The finest scale exported: Prometheus' native histograms keep at most schema 8. */
    public static final int MAX_SCALE = 8;
    /** The most positive buckets of one point: the OpenTelemetry SDK's default (a Ringmeter receiver takes 320). */
    public static final int MAX_BUCKETS = 160;

    private ExponentialBuckets() {
    }

    /**
     * @param digits the HdrHistogram's significant digits (1 to 5).
     * @return the finest scale whose bucket is no wider than the HdrHistogram's precision, at most {@link #MAX_SCALE}.
     */
    public static int scaleFor(final int digits) {
        final double precision = Math.pow(10, -digits);
        int scale = 0;
        while (scale < MAX_SCALE && Math.pow(2, Math.scalb(1.0, -scale)) - 1 > precision) {
            scale++;
        }
        return scale;
    }

    /**
     * @param scale  the point's scale.
     * @param digits the HdrHistogram's significant digits.
     * @return the largest relative error of a value read at its exponential bucket's geometric midpoint, against the
     * value recorded: {@code (1 + 10^-digits) * 2^(2^-scale / 2) - 1}.
     */
    public static double worstRelativeError(final int scale, final int digits) {
        return (1 + Math.pow(10, -digits)) * Math.pow(2, Math.scalb(0.5, -scale)) - 1;
    }

    /**
     * @param value a positive value.
     * @param scale the scale.
     * @return the index {@code i} of the bucket {@code (base^i, base^(i+1)]} holding it.
     */
    static int index(final double value, final int scale) {
        return (int)Math.ceil(Math.scalb(Math.log(value) / Math.log(2), scale)) - 1;
    }

    /**
     * @param h            the histogram, not empty.
     * @param unit         what one unit of the histogram is in the exported unit (1e-6 for microseconds to seconds).
     * @param digits       the histogram's significant digits.
     * @param sum          the exact sum of the values, in the exported unit.
     * @param startNanos   the point's start, epoch ns.
     * @param endNanos     the point's time, epoch ns.
     * @param attributes   the point's attributes.
     * @return the point.
     */
    public static ExponentialHistogramPointData convert(final AbstractHistogram h, final double unit, final int digits,
                                                        final double sum, final long startNanos, final long endNanos,
                                                        final Attributes attributes) {
        final int finest = scaleFor(digits);
        final long zero = h.getCountAtValue(0);
        int scale = finest;
        final List<Long> counts;
        final int offset;
        if (zero == h.getTotalCount()) {
            counts = Collections.emptyList();
            offset = 0;
        } else {
            // the lowest and highest recorded buckets' indices, from the histogram's own min and max: no pass needed
            final int lowest = index(h.medianEquivalentValue(h.getMinNonZeroValue()) * unit, finest);
            final int highest = index(h.medianEquivalentValue(h.getMaxValue()) * unit, finest);
            while ((highest >> (finest - scale)) - (lowest >> (finest - scale)) + 1 > MAX_BUCKETS) {
                scale--;
            }
            final int shift = finest - scale;
            offset = lowest >> shift;
            final long[] c = new long[(highest >> shift) - offset + 1];
            for (final HistogramIterationValue v : h.recordedValues()) {
                final long value = h.medianEquivalentValue(v.getValueIteratedTo());
                if (value > 0) {
                    c[(index(value * unit, finest) >> shift) - offset] += v.getCountAtValueIteratedTo();
                }
            }
            // the SDK's own wrapper: its encoder reads the long[] back, no boxed Long nor copy per bucket
            counts = PrimitiveLongList.wrap(c);
        }
        final ExponentialHistogramBuckets positive = ExponentialHistogramBuckets.create(scale, offset, counts);
        final ExponentialHistogramBuckets negative = ExponentialHistogramBuckets.create(scale, 0,
            Collections.emptyList());
        return ExponentialHistogramPointData.create(scale, sum, zero, true, h.getMinValue() * unit, true,
            h.getMaxValue() * unit, positive, negative, startNanos, endNanos, attributes, Collections.emptyList());
    }
}
