package dev.ringmeter.core.decide;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.query.WindowStats;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The percentile comparison against a brute-force bootstrap this test does itself on the raw samples (resample
 * with replacement, sort, take the quantile, the percentile interval of the differences), its coverage over many
 * pairs of equal distributions, and its verdict on a clear shift, from histograms built as the store builds them.
 * <p>
 * Tolerance of the bounds against the brute force: both are Monte Carlo estimates (the brute force from its own
 * replicates, the method under test from {@value #REPLICATES}), whose 2.5th and 97.5th percentiles wander by
 * about 1 % of the interval's width at these replicate counts; and the histogram reports each value as the top
 * of its bucket (2 significant digits: under 0.8 % of the value). So each bound must lie within 6 % of the brute
 * force's width plus two buckets at the quantile.
 */
@Timeout(120)
class PercentileSignificanceTest {
    private static final int REPLICATES = 20_000;
    private static final long T0 = 1_760_000_400_000L;

    /** Latencies in microseconds: log-normal with the given median in ms and log-sd, as LLM calls have. */
    private static long[] lognormalUs(final SplittableRandom random, final int n, final double medianMs,
                                      final double sigma) {
        final long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            values[i] = Math.max(1, Math.round(medianMs * 1000 * Math.exp(sigma * random.nextGaussian())));
        }
        return values;
    }

    /** A histogram as the store keeps one: 2 significant digits, auto-resizing. */
    private static AbstractHistogram histogramOf(final long[] values) {
        final Histogram h = new Histogram(2);
        for (final long v : values) {
            h.recordValue(v);
        }
        return h;
    }

    /** The p-th percentile of a sorted sample: its ceil(p n / 100)-th smallest value. */
    private static long quantileOfSorted(final long[] sorted, final double p) {
        final int rank = Math.max(1, (int)Math.ceil(p * sorted.length / 100 - 1e-9));
        return sorted[rank - 1];
    }

    /** The test's own bootstrap: resample each raw sample with replacement, sort, take the quantile. */
    private static double[] bruteForceInterval(final long[] a, final long[] b, final double p, final int replicates,
                                               final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] ra = new long[a.length];
        final long[] rb = new long[b.length];
        final double[] differences = new double[replicates];
        for (int i = 0; i < replicates; i++) {
            for (int j = 0; j < ra.length; j++) {
                ra[j] = a[random.nextInt(a.length)];
            }
            for (int j = 0; j < rb.length; j++) {
                rb[j] = b[random.nextInt(b.length)];
            }
            Arrays.sort(ra);
            Arrays.sort(rb);
            differences[i] = quantileOfSorted(rb, p) - quantileOfSorted(ra, p);
        }
        Arrays.sort(differences);
        return new double[] {interpolated(differences, 0.025), interpolated(differences, 0.975)};
    }

    private static double interpolated(final double[] sorted, final double q) {
        final double h = (sorted.length - 1) * q;
        final int lo = (int)h;
        return sorted[lo] + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]);
    }

    private static void assertMatchesBruteForce(final long[] a, final long[] b, final double p,
                                                final int bruteReplicates) {
        final AbstractHistogram ha = histogramOf(a);
        final AbstractHistogram hb = histogramOf(b);
        final Comparison c = Significance.percentile(ha, hb, p, Direction.LOWER_IS_BETTER, 0.95, REPLICATES, 7);
        final double[] brute = bruteForceInterval(a, b, p, bruteReplicates, 99);
        final long[] sortedA = a.clone();
        final long[] sortedB = b.clone();
        Arrays.sort(sortedA);
        Arrays.sort(sortedB);
        final long qa = quantileOfSorted(sortedA, p);
        final long qb = quantileOfSorted(sortedB, p);
        final double buckets = 2.0 * Math.max(ha.sizeOfEquivalentValueRange(qa), hb.sizeOfEquivalentValueRange(qb));
        final double tolerance = 0.06 * (brute[1] - brute[0]) + buckets;
        final String what = "P" + p + " of " + a.length + " and " + b.length + ": brute force " + brute[0] + " to "
            + brute[1] + ", histograms " + c.interval();
        assertEquals(brute[0], c.interval().lower(), tolerance, what);
        assertEquals(brute[1], c.interval().upper(), tolerance, what);
        assertEquals(qb - qa, c.difference(), buckets, what);
        // the point estimates are the histograms' own percentiles
        assertEquals(ha.getValueAtPercentile(p), c.a().value());
        assertEquals(hb.getValueAtPercentile(p), c.b().value());
        assertEquals(a.length, c.a().n());
        assertEquals(b.length, c.b().n());
        assertTrue(c.a().interval().contains(c.a().value()) && c.b().interval().contains(c.b().value()), what);
    }

    @Test
    void shouldMatchABruteForceBootstrapOfTheRawSamples() {
        final SplittableRandom random = new SplittableRandom(2024);
        // P95 of two thousand and three thousand calls, b 8 % slower
        assertMatchesBruteForce(lognormalUs(random, 2_000, 800, 0.5), lognormalUs(random, 3_000, 864, 0.5), 95, 4_000);
        // P95 at the smallest groups allowed, where an error of one rank would show
        assertMatchesBruteForce(lognormalUs(random, 100, 800, 0.5), lognormalUs(random, 150, 800, 0.7), 95, 20_000);
        // the median and P99
        assertMatchesBruteForce(lognormalUs(random, 1_000, 300, 0.3), lognormalUs(random, 1_200, 290, 0.3), 50,
            4_000);
        assertMatchesBruteForce(lognormalUs(random, 5_000, 800, 0.5), lognormalUs(random, 5_000, 800, 0.5), 99,
            2_000);
    }

    @Test
    void shouldFindNoDifferenceBetweenEqualDistributionsAboutNinetyFivePercentOfTheTime() {
        final SplittableRandom random = new SplittableRandom(31);
        final int trials = 400;
        int noDifference = 0;
        for (int i = 0; i < trials; i++) {
            final Comparison c = Significance.percentile(histogramOf(lognormalUs(random, 1_000, 800, 0.5)),
                histogramOf(lognormalUs(random, 1_000, 800, 0.5)), 95, Direction.LOWER_IS_BETTER);
            if (c.verdict() == Verdict.NO_SIGNIFICANT_DIFFERENCE) {
                noDifference++;
            } else {
                assertTrue(c.verdict() == Verdict.BETTER || c.verdict() == Verdict.WORSE, c.verdict()::toString);
            }
        }
        final double rate = (double)noDifference / trials;
        // 95 % expected; over 400 trials its standard error is 1.1 points
        assertTrue(rate >= 0.92 && rate <= 0.98, "no significant difference in " + noDifference + " of " + trials);
    }

    @Test
    void shouldCoverTheTrueDifferenceOfUnequalDistributionsAboutNinetyFivePercentOfTheTime() {
        // a: median 800 ms, log-sd 0.5; b: median 1,000 ms, log-sd 0.3; their P95s are median * exp(sd * z(0.95))
        final double z95 = 1.6448536269514722;
        final double trueDifferenceUs = 1_000_000 * Math.exp(0.3 * z95) - 800_000 * Math.exp(0.5 * z95);
        final SplittableRandom random = new SplittableRandom(64);
        final int trials = 400;
        int covered = 0;
        for (int i = 0; i < trials; i++) {
            final Comparison c = Significance.percentile(histogramOf(lognormalUs(random, 1_000, 800, 0.5)),
                histogramOf(lognormalUs(random, 1_500, 1_000, 0.3)), 95, Direction.LOWER_IS_BETTER);
            if (c.interval().contains(trueDifferenceUs)) {
                covered++;
            }
        }
        final double rate = (double)covered / trials;
        assertTrue(rate >= 0.92 && rate <= 0.98, "the true difference in " + covered + " of " + trials);
    }

    @Test
    void shouldSeeAClearShiftTheRightWay() {
        final SplittableRandom random = new SplittableRandom(8);
        for (int i = 0; i < 50; i++) {
            final AbstractHistogram fast = histogramOf(lognormalUs(random, 1_000, 800, 0.5));
            final AbstractHistogram slow = histogramOf(lognormalUs(random, 1_000, 1_000, 0.5));
            final Comparison slower = Significance.percentile(fast, slow, 95, Direction.LOWER_IS_BETTER);
            assertEquals(Verdict.WORSE, slower.verdict());
            assertTrue(slower.interval().lower() > 0 && slower.difference() > 0 && slower.relativePercent() > 0);
            assertEquals(Verdict.BETTER, Significance.percentile(slow, fast, 95, Direction.LOWER_IS_BETTER).verdict());
            // read as a metric where higher is better (e.g. tokens per second), the same shift is an improvement
            assertEquals(Verdict.BETTER, Significance.percentile(fast, slow, 95, Direction.HIGHER_IS_BETTER).verdict());
        }
    }

    @Test
    void shouldCompareTheStoresOwnLatencyHistogramsAsTheRawSamplesSay() throws InterruptedException {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        final SplittableRandom random = new SplittableRandom(77);
        final long[] a = lognormalUs(random, 3_000, 700, 0.6);
        final long[] b = lognormalUs(random, 2_500, 780, 0.6);
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().clock(clock)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK))) {
            final Event e = new Event();
            for (int i = 0; i < a.length; i++) {
                store.record(e.reset().model("model-a").latencyNs(a[i] * 1000).timestampMs(T0 - 30_000 + i % 30_000));
            }
            for (int i = 0; i < b.length; i++) {
                store.record(e.reset().model("model-b").latencyNs(b[i] * 1000).timestampMs(T0 - 30_000 + i % 30_000));
            }
            assertTrue(store.flush(30, TimeUnit.SECONDS));
            final WindowStats sa = store.aggregates().window("model-a", T0 - 60_000, T0 + 1, store.aggregates()
                .newWindowStats());
            final WindowStats sb = store.aggregates().window("model-b", T0 - 60_000, T0 + 1, store.aggregates()
                .newWindowStats());
            final Comparison c = Significance.percentile(sa.latencyHistogramUs(), sb.latencyHistogramUs(), 95,
                Direction.LOWER_IS_BETTER, 0.95, REPLICATES, 3);
            final double[] brute = bruteForceInterval(a, b, 95, 4_000, 5);
            final double tolerance = 0.06 * (brute[1] - brute[0]) + 2.0 * sb.latencyHistogramUs()
                .sizeOfEquivalentValueRange(sb.latencyHistogramUs().getValueAtPercentile(95));
            assertEquals(brute[0], c.interval().lower(), tolerance, () -> "brute force " + Arrays.toString(brute));
            assertEquals(brute[1], c.interval().upper(), tolerance, () -> "brute force " + Arrays.toString(brute));
            final Verdict expected = brute[0] > 0 ? Verdict.WORSE : brute[1] < 0 ? Verdict.BETTER
                : Verdict.NO_SIGNIFICANT_DIFFERENCE;
            assertEquals(expected, c.verdict(), () -> "brute force " + Arrays.toString(brute) + ", " + c);
            // in milliseconds, as the store reports P95
            final Comparison ms = c.scaled(1e-3);
            assertEquals(sa.latencyMs(95), ms.a().value(), 1e-9 + sa.latencyHistogramUs()
                .sizeOfEquivalentValueRange(sa.latencyHistogramUs().getValueAtPercentile(95)) / 1000.0);
            assertEquals(c.relativePercent(), ms.relativePercent());
            assertEquals(c.verdict(), ms.verdict());
        }
    }

    @Test
    void shouldGiveTheSameAnswerForTheSameSeed() {
        final SplittableRandom random = new SplittableRandom(1);
        final AbstractHistogram a = histogramOf(lognormalUs(random, 1_000, 800, 0.5));
        final AbstractHistogram b = histogramOf(lognormalUs(random, 1_000, 820, 0.5));
        assertEquals(Significance.percentile(a, b, 90, Direction.LOWER_IS_BETTER),
            Significance.percentile(a, b, 90, Direction.LOWER_IS_BETTER));
        assertNotEquals(Significance.percentile(a, b, 90, Direction.LOWER_IS_BETTER, 0.95, 2_000, 1).interval(),
            Significance.percentile(a, b, 90, Direction.LOWER_IS_BETTER, 0.95, 2_000, 2).interval());
    }

    @Test
    void shouldGiveNoVerdictBelowFiveEventsBeyondTheQuantile() {
        final SplittableRandom random = new SplittableRandom(4);
        final AbstractHistogram hundred = histogramOf(lognormalUs(random, 100, 800, 0.5));
        final AbstractHistogram ninetyNine = histogramOf(lognormalUs(random, 99, 2_000, 0.5));
        final Comparison tooFew = Significance.percentile(hundred, ninetyNine, 95, Direction.LOWER_IS_BETTER);
        assertEquals(Verdict.INSUFFICIENT_DATA, tooFew.verdict());
        assertEquals("the 95th percentile needs n * min(p, 1 - p) >= 5, at least 100 events, in each group:"
            + " group b has 99", tooFew.reason());
        assertTrue(tooFew.interval().known(), "the interval is still given");
        final Comparison enough = Significance.percentile(hundred, histogramOf(lognormalUs(random, 100, 2_000, 0.5)),
            95, Direction.LOWER_IS_BETTER);
        assertEquals(Verdict.WORSE, enough.verdict());
        assertNull(enough.reason());
        // P99.9 needs 5,000: 5,000 * (100 - 99.9) / 100 falls a hair short of 5 in doubles, and must still count
        final AbstractHistogram fiveThousand = histogramOf(lognormalUs(random, 5_000, 800, 0.5));
        assertNull(Significance.percentile(fiveThousand, fiveThousand, 99.9, Direction.LOWER_IS_BETTER).reason());
        final AbstractHistogram fewer = histogramOf(lognormalUs(random, 4_999, 800, 0.5));
        assertTrue(Significance.percentile(fiveThousand, fewer, 99.9, Direction.LOWER_IS_BETTER).reason()
            .contains("at least 5000 events"));
        // the median needs ten
        final AbstractHistogram nine = histogramOf(lognormalUs(random, 9, 800, 0.5));
        assertEquals(Verdict.INSUFFICIENT_DATA,
            Significance.percentile(hundred, nine, 50, Direction.LOWER_IS_BETTER).verdict());
        final Comparison empty = Significance.percentile(hundred, new Histogram(2), 50, Direction.LOWER_IS_BETTER);
        assertEquals(Verdict.INSUFFICIENT_DATA, empty.verdict());
        assertTrue(Double.isNaN(empty.b().value()) && !empty.interval().known() && !empty.b().interval().known());
        assertEquals(hundred.getValueAtPercentile(50), empty.a().value());
    }

    @Test
    void shouldRefuseAPercentileLevelOrReplicatesOutOfRangeNamingThem() {
        final AbstractHistogram h = histogramOf(new long[] {1, 2, 3});
        for (final double p : new double[] {0, 100, -1, Double.NaN}) {
            assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Significance.percentile(h, h, p, Direction.LOWER_IS_BETTER)).getMessage()
                .startsWith("percentile must be above 0 and below 100"));
        }
        assertEquals("replicates must be 100 to 100000, got 99", assertThrows(IllegalArgumentException.class,
            () -> Significance.percentile(h, h, 50, Direction.LOWER_IS_BETTER, 0.95, 99, 1)).getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> Significance.percentile(h, h, 50, Direction.LOWER_IS_BETTER, 0.95, 100_001, 1));
        assertThrows(IllegalArgumentException.class,
            () -> Significance.percentile(h, h, 50, Direction.LOWER_IS_BETTER, 0.4, 2_000, 1));
        assertThrows(NullPointerException.class, () -> Significance.percentile(h, null, 50, Direction.LOWER_IS_BETTER));
    }
}
