package dev.ringmeter.core.decide;

import dev.ringmeter.core.test.PropertyTimeout;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rates: the Wilson interval of each proportion and Newcombe's hybrid score interval of the difference, against
 * the values Newcombe published (Statistics in Medicine 17, 1998: Table I of the single-proportion paper, Table II
 * of the difference paper, method 10) and against this test's own formulas on random counts.
 */
@Timeout(60)
@PropertyTimeout(seconds = 60)
class RateSignificanceTest {
    /** The 97.5th percentile of the standard normal, to 16 digits. */
    private static final double Z = 1.959963984540054;

    @Test
    void shouldGiveTheWilsonIntervalsNewcombePublished() {
        // successes, n, lower, upper (Newcombe 1998, "Two-sided confidence intervals for the single proportion")
        final double[][] published = {
            {81, 263, 0.2553, 0.3662}, {15, 148, 0.0624, 0.1605}, {0, 20, 0.0000, 0.1611}, {1, 29, 0.0061, 0.1718},
            {29, 29, 0.8830, 1.0000}};
        for (final double[] row : published) {
            final Interval w = Significance.wilson((long)row[0], (long)row[1], 0.95);
            assertEquals(row[2], w.lower(), 0.00005, () -> "lower of " + row[0] + "/" + row[1]);
            assertEquals(row[3], w.upper(), 0.00005, () -> "upper of " + row[0] + "/" + row[1]);
        }
    }

    @Test
    void shouldGiveTheDifferenceIntervalsNewcombePublished() {
        // the first group's successes and n, the second's, then the interval of p1 - p2 (Table II, method 10)
        final double[][] published = {
            {56, 70, 48, 80, 0.0524, 0.3339}, {9, 10, 3, 10, 0.1705, 0.8090}, {5, 56, 0, 29, -0.0381, 0.1926},
            {0, 10, 0, 20, -0.1611, 0.2775}, {0, 10, 0, 10, -0.2775, 0.2775}, {10, 10, 0, 20, 0.6791, 1.0000},
            {10, 10, 0, 10, 0.6075, 1.0000}};
        for (final double[] row : published) {
            // p1 - p2 is b - a with b the first group
            final Comparison c = Significance.rate((long)row[2], (long)row[3], (long)row[0], (long)row[1],
                Direction.HIGHER_IS_BETTER);
            assertEquals(row[0] / row[1] - row[2] / row[3], c.difference(), 1e-12);
            assertEquals(row[4], c.interval().lower(), 0.00005, () -> "lower of row " + row[0] + "/" + row[1]);
            assertEquals(row[5], c.interval().upper(), 0.00005, () -> "upper of row " + row[0] + "/" + row[1]);
            assertEquals(Method.NEWCOMBE_HYBRID_SCORE, c.method());
            assertEquals(0.95, c.confidenceLevel());
        }
    }

    @Test
    void shouldSayWhichWayTheDifferenceGoesForTheMetric() {
        // 56/70 against 48/80: b's proportion is higher, its whole interval above 0
        final Comparison success = Significance.rate(48, 80, 56, 70, Direction.HIGHER_IS_BETTER);
        assertEquals(Verdict.BETTER, success.verdict());
        assertNull(success.reason());
        assertEquals((0.8 - 0.6) / 0.6 * 100, success.relativePercent(), 1e-9);
        assertEquals(80, success.a().n());
        assertEquals(70, success.b().n());
        // the same counts as errors: more errors is worse
        assertEquals(Verdict.WORSE, Significance.rate(48, 80, 56, 70, Direction.LOWER_IS_BETTER).verdict());
        assertEquals(Verdict.BETTER, Significance.rate(56, 70, 48, 80, Direction.LOWER_IS_BETTER).verdict());
        // 5/56 against 0/29: the interval contains 0
        assertEquals(Verdict.NO_SIGNIFICANT_DIFFERENCE,
            Significance.rate(0, 29, 5, 56, Direction.LOWER_IS_BETTER).verdict());
    }

    @Test
    void shouldGiveNoVerdictBelowTheMinimumTrialsButStillTheIntervals() {
        // 9/9 against 0/9 would be significant; nine trials are below the minimum of ten
        final Comparison c = Significance.rate(0, 9, 9, 9, Direction.HIGHER_IS_BETTER);
        assertEquals(Verdict.INSUFFICIENT_DATA, c.verdict());
        assertTrue(c.reason().contains("group a has 9") && c.reason().contains("group b has 9"), c.reason());
        assertTrue(c.interval().lower() > 0, "the interval is still computed: " + c.interval());
        final Comparison enough = Significance.rate(0, 10, 10, 10, Direction.HIGHER_IS_BETTER);
        assertEquals(Verdict.BETTER, enough.verdict());
        final Comparison oneShort = Significance.rate(0, 10, 9, 9, Direction.HIGHER_IS_BETTER);
        assertEquals("a rate needs at least 10 trials in each group: group b has 9", oneShort.reason());
        final Comparison empty = Significance.rate(0, 0, 3, 12, Direction.HIGHER_IS_BETTER);
        assertEquals(Verdict.INSUFFICIENT_DATA, empty.verdict());
        assertTrue(Double.isNaN(empty.a().value()) && !empty.interval().known());
        assertEquals(0.25, empty.b().value());
    }

    @Test
    void shouldRefuseImpossibleCountsAndLevelsNamingThem() {
        assertEquals("successesA must be 0 to nA and nA at least 0, got 11 of 10", assertThrows(
            IllegalArgumentException.class, () -> Significance.rate(11, 10, 1, 10, Direction.LOWER_IS_BETTER))
            .getMessage());
        assertThrows(IllegalArgumentException.class, () -> Significance.rate(1, 10, -1, 10, Direction.LOWER_IS_BETTER));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> Significance.rate(1, 10, 1, 10, Direction.LOWER_IS_BETTER, 1.0)).getMessage()
            .startsWith("confidenceLevel must be 0.5 to 0.999"));
        assertThrows(IllegalArgumentException.class, () -> Significance.wilson(0, 0, 0.95));
    }

    @Test
    void shouldWidenWithTheConfidenceLevel() {
        final Interval at90 = Significance.wilson(30, 100, 0.90);
        final Interval at99 = Significance.wilson(30, 100, 0.99);
        // z = 1.644854 and 2.575829, this test's own formula
        assertEquals(ownWilson(30, 100, 1.6448536269514722)[0], at90.lower(), 1e-8);
        assertEquals(ownWilson(30, 100, 2.5758293035489004)[1], at99.upper(), 1e-8);
    }

    @Property(tries = 500)
    void wilsonShouldMatchItsClosedFormAndSolveTheScoreEquation(@ForAll @LongRange(min = 1, max = 100_000) long n,
                                                                @ForAll @LongRange(min = 0, max = 100_000) long s) {
        final long successes = s % (n + 1);
        final Interval w = Significance.wilson(successes, n, 0.95);
        final double[] own = ownWilson(successes, n, Z);
        assertEquals(own[0], w.lower(), 1e-9);
        assertEquals(own[1], w.upper(), 1e-9);
        // each bound p0 inside (0, 1) is where the score statistic (p - p0) / sqrt(p0 (1 - p0) / n) is -z or z
        final double p = (double)successes / n;
        for (final double bound : new double[] {w.lower(), w.upper()}) {
            if (bound > 0 && bound < 1) {
                final double score = Math.abs(p - bound) / Math.sqrt(bound * (1 - bound) / n);
                assertEquals(Z, score, 1e-6);
            }
        }
    }

    @Property(tries = 500)
    void newcombeShouldMatchTheTestsOwnFormula(@ForAll @LongRange(min = 1, max = 5_000) long nA,
                                               @ForAll @LongRange(min = 0, max = 5_000) long sA,
                                               @ForAll @LongRange(min = 1, max = 5_000) long nB,
                                               @ForAll @LongRange(min = 0, max = 5_000) long sB) {
        final long a = sA % (nA + 1);
        final long b = sB % (nB + 1);
        final Comparison c = Significance.rate(a, nA, b, nB, Direction.LOWER_IS_BETTER);
        final double pA = (double)a / nA;
        final double pB = (double)b / nB;
        final double[] wA = ownWilson(a, nA, Z);
        final double[] wB = ownWilson(b, nB, Z);
        final double d = pB - pA;
        final double lower = d - Math.sqrt(Math.pow(pB - wB[0], 2) + Math.pow(wA[1] - pA, 2));
        final double upper = d + Math.sqrt(Math.pow(wB[1] - pB, 2) + Math.pow(pA - wA[0], 2));
        assertEquals(lower, c.interval().lower(), 1e-9);
        assertEquals(upper, c.interval().upper(), 1e-9);
        final Verdict expected = nA < 10 || nB < 10 ? Verdict.INSUFFICIENT_DATA
            : upper < 0 ? Verdict.BETTER : lower > 0 ? Verdict.WORSE : Verdict.NO_SIGNIFICANT_DIFFERENCE;
        assertEquals(expected, c.verdict());
    }

    /** Wilson's interval as Newcombe writes it: (2np + z² ± z √(z² + 4np(1 − p))) / (2(n + z²)). */
    private static double[] ownWilson(final long successes, final long n, final double z) {
        final double p = (double)successes / n;
        final double root = z * Math.sqrt(z * z + 4 * n * p * (1 - p));
        final double denominator = 2 * (n + z * z);
        return new double[] {(2 * n * p + z * z - root) / denominator, (2 * n * p + z * z + root) / denominator};
    }
}
