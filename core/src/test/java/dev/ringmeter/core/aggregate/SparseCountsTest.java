package dev.ringmeter.core.aggregate;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A closed bucket's sparse counts give back exactly the plain histogram's answers, in a fraction of its heap. */
@Timeout(60)
class SparseCountsTest {
    @Test
    void shouldGiveEveryPercentileOfThePlainHistogram() {
        final SplittableRandom random = new SplittableRandom(18);
        for (int digits = 1; digits <= 3; digits++) {
            for (final int n : new int[] {1, 7, 300, 5_000}) {
                final AbstractHistogram plain = digits == 2 ? new Histogram(digits) : new IntCountsHistogram(digits);
                plain.setAutoResize(true);
                for (int i = 0; i < n; i++) {
                    // spread over 0 to a day in microseconds, log-uniformly, with repeated values and large counts
                    final long v = (long)Math.pow(10, random.nextDouble(0, 11)) - 1;
                    plain.recordValueWithCount(v, 1 + random.nextInt(i % 5 == 0 ? 100_000 : 3));
                }
                final SparseCounts sparse = SparseCounts.of(plain);
                if (digits == 1 && n == 5_000) {
                    assertNull(sparse, "a one-digit histogram this full is smaller plain");
                    continue;
                }
                assertNotNull(sparse, "values " + n + " digits " + digits);
                assertEquals(plain.getTotalCount(), sparse.totalCount());
                final AbstractHistogram back = new Histogram(digits);
                back.setAutoResize(true);
                sparse.addTo(back);
                assertEquals(plain.getTotalCount(), back.getTotalCount());
                assertEquals(plain.getMaxValue(), back.getMaxValue());
                assertEquals(plain.getMinNonZeroValue(), back.getMinNonZeroValue());
                assertEquals(plain.getMean(), back.getMean(), 0.0);
                for (int p = 0; p <= 1000; p++) {
                    assertEquals(plain.getValueAtPercentile(p / 10.0), back.getValueAtPercentile(p / 10.0),
                        "p" + p / 10.0 + ", " + n + " values, " + digits + " digits");
                }
                assertEquals(plain.getValueAtPercentile(99.999), back.getValueAtPercentile(99.999));
                if (digits == 2 && n <= 300) {
                    assertTrue(sparse.footprintBytes() < plain.getEstimatedFootprintInBytes() / 4,
                        sparse.footprintBytes() + " bytes sparse against " + plain.getEstimatedFootprintInBytes());
                }
            }
        }
    }

    @Test
    void shouldStayPlainWhenEveryValueOfTheRangeIsRecorded() {
        final AbstractHistogram dense = new IntCountsHistogram(2);
        dense.setAutoResize(true);
        for (long v = 0; v < 100_000; v++) {
            dense.recordValueWithCount(v, 1_000_000);
        }
        assertNull(SparseCounts.of(dense), "sparse counts are never larger than the plain histogram");
    }
}
