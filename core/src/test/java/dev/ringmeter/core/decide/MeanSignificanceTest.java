package dev.ringmeter.core.decide;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Means: Welch's interval against a computation by hand from raw scores, with degrees of freedom chosen where a
 * printed t table gives the quantile, on both sides of the switch from the exact t to its normal-based series.
 */
@Timeout(60)
class MeanSignificanceTest {
    /** Mean and sample variance (n − 1) of raw values, computed here. */
    private static double[] moments(final double[] values) {
        double sum = 0;
        for (final double v : values) {
            sum += v;
        }
        final double mean = sum / values.length;
        double squares = 0;
        for (final double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return new double[] {mean, squares / (values.length - 1)};
    }

    @Test
    void shouldMatchAHandComputationAtTwentyDegreesOfFreedom() {
        // quality scores of two prompt versions, eleven tasks each; equal variances make Welch's df exactly 20
        final double[] a = {0.62, 0.70, 0.55, 0.81, 0.66, 0.74, 0.59, 0.68, 0.77, 0.63, 0.71};
        final double[] b = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[(i + 3) % a.length] + 0.09; // the same spread, shifted up by 0.09
        }
        final double[] ma = moments(a);
        final double[] mb = moments(b);
        assertEquals(ma[1], mb[1], 1e-12);
        final Comparison c = Significance.mean(a.length, ma[0], ma[1], b.length, mb[0], mb[1],
            Direction.HIGHER_IS_BETTER);
        final double se = Math.sqrt(ma[1] / 11 + mb[1] / 11);
        final double t20 = 2.085963; // t(0.975, 20), from the table
        assertEquals(0.09, c.difference(), 1e-12);
        assertEquals(0.09 - t20 * se, c.interval().lower(), 1e-6);
        assertEquals(0.09 + t20 * se, c.interval().upper(), 1e-6);
        // each group's own interval: t(0.975, 10) = 2.228139
        assertEquals(ma[0] - 2.228139 * Math.sqrt(ma[1] / 11), c.a().interval().lower(), 1e-6);
        assertEquals(Verdict.BETTER, c.verdict());
        assertEquals(Method.WELCH, c.method());
        assertEquals(0.09 / ma[0] * 100, c.relativePercent(), 1e-9);
    }

    @Test
    void shouldMatchAHandComputationAtAThousandDegreesOfFreedom() {
        // tokens per task, 501 tasks each with equal variances: df = 1,000, t(0.975, 1000) = 1.962339
        final Comparison c = Significance.mean(501, 1_250.0, 40_000.0, 501, 1_230.0, 40_000.0,
            Direction.LOWER_IS_BETTER);
        final double se = Math.sqrt(2 * 40_000.0 / 501);
        assertEquals(-20 - 1.962339 * se, c.interval().lower(), 1e-4);
        assertEquals(-20 + 1.962339 * se, c.interval().upper(), 1e-4);
        assertEquals(Verdict.NO_SIGNIFICANT_DIFFERENCE, c.verdict()); // -20 ± 24.8 contains 0
    }

    @Test
    void shouldUseTheWelchSatterthwaiteDegreesOfFreedomForUnequalGroups() {
        // cost per task: 12 tasks with variance 0.04, 15 with 0.0225
        final Comparison c = Significance.mean(12, 0.72, 0.04, 15, 0.81, 0.0225, Direction.LOWER_IS_BETTER);
        final double va = 0.04 / 12;
        final double vb = 0.0225 / 15;
        final double df = Math.pow(va + vb, 2) / (va * va / 11 + vb * vb / 14);
        assertEquals(19.953, df, 0.001);
        // t(0.975, 19.953) lies between t(0.975, 19) = 2.093024 and t(0.975, 20) = 2.085963, near the latter
        final double half = (c.interval().upper() - c.interval().lower()) / 2 / Math.sqrt(va + vb);
        assertTrue(half > 2.085963 && half < 2.0864, "t used: " + half);
        assertEquals(Verdict.NO_SIGNIFICANT_DIFFERENCE, c.verdict());
    }

    @Test
    void shouldFindNoDifferenceBetweenEqualNormalGroupsAboutNinetyFivePercentOfTheTime() {
        final SplittableRandom random = new SplittableRandom(12);
        final int trials = 2_000;
        int noDifference = 0;
        for (int i = 0; i < trials; i++) {
            // small and unequal groups with unequal variances, where Welch's df matters
            final double[] a = new double[12];
            final double[] b = new double[25];
            for (int j = 0; j < a.length; j++) {
                a[j] = 5 + 2 * random.nextGaussian();
            }
            for (int j = 0; j < b.length; j++) {
                b[j] = 5 + 0.5 * random.nextGaussian();
            }
            final double[] ma = moments(a);
            final double[] mb = moments(b);
            if (Significance.mean(a.length, ma[0], ma[1], b.length, mb[0], mb[1], Direction.HIGHER_IS_BETTER)
                .verdict() == Verdict.NO_SIGNIFICANT_DIFFERENCE) {
                noDifference++;
            }
        }
        final double rate = (double)noDifference / trials;
        // standard error 0.5 points over 2,000 trials
        assertTrue(rate >= 0.935 && rate <= 0.965, "no significant difference in " + noDifference + " of " + trials);
    }

    @Test
    void shouldGiveAPointIntervalWhenBothGroupsHaveNoSpread() {
        final Comparison same = Significance.mean(20, 3.0, 0, 20, 3.0, 0, Direction.HIGHER_IS_BETTER);
        assertEquals(new Interval(0, 0), same.interval());
        assertEquals(Verdict.NO_SIGNIFICANT_DIFFERENCE, same.verdict());
        final Comparison higher = Significance.mean(20, 3.0, 0, 20, 4.0, 0, Direction.HIGHER_IS_BETTER);
        assertEquals(new Interval(1, 1), higher.interval());
        assertEquals(Verdict.BETTER, higher.verdict());
    }

    @Test
    void shouldGiveNoVerdictBelowTenEventsAndRefuseImpossibleMoments() {
        final Comparison c = Significance.mean(9, 1.0, 0.01, 30, 2.0, 0.01, Direction.HIGHER_IS_BETTER);
        assertEquals(Verdict.INSUFFICIENT_DATA, c.verdict());
        assertEquals("a mean needs at least 10 events in each group: group a has 9", c.reason());
        assertTrue(c.interval().known());
        final Comparison one = Significance.mean(1, 1.0, Double.NaN, 30, 2.0, 0.01, Direction.HIGHER_IS_BETTER);
        assertEquals(Verdict.INSUFFICIENT_DATA, one.verdict());
        assertTrue(!one.interval().known() && one.a().value() == 1.0);
        assertEquals("varianceB must be finite and at least 0, got -1.0", assertThrows(IllegalArgumentException.class,
            () -> Significance.mean(10, 1, 1, 10, 1, -1, Direction.HIGHER_IS_BETTER)).getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> Significance.mean(10, Double.NaN, 1, 10, 1, 1, Direction.HIGHER_IS_BETTER));
        assertThrows(IllegalArgumentException.class,
            () -> Significance.mean(-1, 1, 1, 10, 1, 1, Direction.HIGHER_IS_BETTER));
    }
}
