package dev.ringmeter.otlp.export;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HdrHistogram to exponential histogram conversion: the scale chosen from the precision and the range, every
 * observation counted once, and each percentile read at its bucket's geometric midpoint within the stated error of
 * the HdrHistogram's.
 */
@Timeout(30)
class ExponentialBucketsTest {
    @Test
    void shouldChooseTheFinestScaleNoWiderThanTheHistogramsPrecision() {
        assertEquals(3, ExponentialBuckets.scaleFor(1), "2^(1/8) - 1 = 9.1 % <= 10 %");
        assertEquals(7, ExponentialBuckets.scaleFor(2), "2^(1/128) - 1 = 0.54 % <= 1 %, 2^(1/64) - 1 = 1.09 % > 1 %");
        assertEquals(ExponentialBuckets.MAX_SCALE, ExponentialBuckets.scaleFor(3), "capped at Prometheus' schema 8");
        assertEquals(0.0321, ExponentialBuckets.worstRelativeError(4, 2), 0.0001);
        assertEquals(0.0127, ExponentialBuckets.worstRelativeError(7, 2), 0.0001);
    }

    @Test
    void shouldKeepTheFineScaleForANarrowRange() {
        final Histogram h = new Histogram(2);
        for (long us = 100_000; us <= 150_000; us += 100) {
            h.recordValue(us);
        }
        final ExponentialHistogramPointData p = convert(h);
        assertEquals(7, p.getScale(), "log2(1.5) x 128 = 75 buckets fit in 160");
        assertPercentiles(h, p);
    }

    @Test
    void shouldLowerTheScaleUntilTheRangeFitsAndStayWithinTheStatedError() {
        final Histogram h = new Histogram(2);
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            h.recordValue((long)Math.pow(10, 4 + 2.69 * random.nextDouble()));   // 10 ms to 4.9 s, log-uniform
        }
        h.recordValue(0);
        final ExponentialHistogramPointData p = convert(h);
        assertEquals(4, p.getScale(), "9 octaves: 16 buckets an octave fit in 160, 32 do not");
        assertTrue(p.getPositiveBuckets().getBucketCounts().size() <= ExponentialBuckets.MAX_BUCKETS);
        assertEquals(1, p.getZeroCount());
        assertPercentiles(h, p);
    }

    private static ExponentialHistogramPointData convert(final Histogram h) {
        final ExponentialHistogramPointData p = ExponentialBuckets.convert(h, 1e-6, 2, 1.0, 0, 1, Attributes.empty());
        long n = p.getZeroCount();
        for (final long c : p.getPositiveBuckets().getBucketCounts()) {
            n += c;
        }
        assertEquals(h.getTotalCount(), n, "every observation in one bucket");
        assertEquals(h.getTotalCount(), p.getCount());
        return p;
    }

    /** Reads p1 ... p99.9 at the geometric midpoints and compares with the HdrHistogram's, in seconds. */
    private static void assertPercentiles(final Histogram h, final ExponentialHistogramPointData p) {
        final double error = ExponentialBuckets.worstRelativeError(p.getScale(), 2);
        final List<Long> counts = p.getPositiveBuckets().getBucketCounts();
        for (final double q : new double[] {1, 10, 25, 50, 75, 90, 95, 99, 99.9}) {
            final long rank = (long)Math.ceil(q / 100 * h.getTotalCount());
            long seen = p.getZeroCount();
            double read = 0;
            for (int i = 0; i < counts.size() && seen < rank; i++) {
                seen += counts.get(i);
                read = Math.pow(2, Math.scalb(p.getPositiveBuckets().getOffset() + i + 0.5, -p.getScale()));
            }
            final double truth = h.getValueAtPercentile(q) / 1e6;
            assertEquals(truth, read, truth * error, "p" + q + " at scale " + p.getScale());
        }
    }
}
