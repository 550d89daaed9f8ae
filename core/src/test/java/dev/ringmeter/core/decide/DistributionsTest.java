package dev.ringmeter.core.decide;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distributions behind the intervals: quantiles against printed tables, the incomplete Beta function
 * against its closed forms, and the Gamma and Beta samplers against their moments and distribution function.
 */
@Timeout(60)
class DistributionsTest {
    @Test
    void normalQuantilesShouldMatchTheTable() {
        assertEquals(1.959963984540054, Distributions.normalQuantile(0.975), 1e-8);
        assertEquals(1.6448536269514722, Distributions.normalQuantile(0.95), 1e-8);
        assertEquals(2.5758293035489004, Distributions.normalQuantile(0.995), 1e-8);
        assertEquals(3.090232306167813, Distributions.normalQuantile(0.999), 1e-8);
        assertEquals(-1.959963984540054, Distributions.normalQuantile(0.025), 1e-8);
        assertEquals(0, Distributions.normalQuantile(0.5), 1e-12);
    }

    @Test
    void tQuantilesShouldMatchTheTableOnBothSidesOfTheSeries() {
        // degrees of freedom, t(0.975), t(0.995): the printed two-sided 5 % and 1 % points
        final double[][] table = {
            {1, 12.706205, 63.656741}, {2, 4.302653, 9.924843}, {3, 3.182446, 5.840909}, {5, 2.570582, 4.032143},
            {10, 2.228139, 3.169273}, {20, 2.085963, 2.845340}, {30, 2.042272, 2.749996}, {40, 2.021075, 2.704459},
            {60, 2.000298, 2.660283}, {120, 1.979930, 2.617421}, {1000, 1.962339, 2.580755}};
        for (final double[] row : table) {
            assertEquals(row[1], Distributions.tQuantile(0.975, row[0]), 2e-6, () -> "t(0.975, " + row[0] + ")");
            assertEquals(row[2], Distributions.tQuantile(0.995, row[0]), 2e-5, () -> "t(0.995, " + row[0] + ")");
        }
        assertEquals(-2.228139, Distributions.tQuantile(0.025, 10), 2e-6);
        assertEquals(1.959964, Distributions.tQuantile(0.975, Double.POSITIVE_INFINITY), 1e-6);
        // a fractional df falls between its neighbours, and the two methods meet at 30
        final double t = Distributions.tQuantile(0.975, 19.5);
        assertTrue(t > 2.085963 && t < 2.093024, "t(0.975, 19.5) = " + t);
        assertEquals(Distributions.tQuantile(0.975, 30), Distributions.tQuantile(0.975, Math.nextUp(30.0)), 1e-5);
    }

    @Test
    void incompleteBetaShouldMatchItsClosedForms() {
        assertEquals(0.6875, Distributions.regularizedBeta(0.5, 2, 3), 1e-12);
        for (final double x : new double[] {0.01, 0.2, 0.5, 0.77, 0.999}) {
            assertEquals(1 - Math.pow(1 - x, 4.5), Distributions.regularizedBeta(x, 1, 4.5), 1e-12);
            assertEquals(Math.pow(x, 7.25), Distributions.regularizedBeta(x, 7.25, 1), 1e-12);
            // Student t with 1 degree of freedom is Cauchy: I_x(1/2, 1/2) = (2/π) asin(√x)
            assertEquals(2 / Math.PI * Math.asin(Math.sqrt(x)), Distributions.regularizedBeta(x, 0.5, 0.5), 1e-12);
        }
        assertEquals(Math.log(120), Distributions.lnGamma(6), 1e-12);
        assertEquals(0.5 * Math.log(Math.PI), Distributions.lnGamma(0.5), 1e-12);
    }

    @Test
    void gammaDrawsShouldHaveTheirMeanAndVariance() {
        final SplittableRandom random = new SplittableRandom(11);
        for (final double shape : new double[] {0.3, 1, 2.5, 50, 1e6}) {
            final int n = 200_000;
            double sum = 0;
            double sumSquares = 0;
            for (int i = 0; i < n; i++) {
                final double x = Distributions.gamma(random, shape);
                sum += x;
                sumSquares += x * x;
            }
            final double mean = sum / n;
            final double variance = sumSquares / n - mean * mean;
            // Gamma(k, 1): mean k, variance k; the mean's standard error is √(k / n), allow five of them
            assertEquals(shape, mean, 5 * Math.sqrt(shape / n), "mean of Gamma(" + shape + ")");
            assertEquals(shape, variance, 0.05 * shape, "variance of Gamma(" + shape + ")");
        }
    }

    @Test
    void betaDrawsShouldFollowTheBetaDistributionFunction() {
        final SplittableRandom random = new SplittableRandom(5);
        // small shapes, a bootstrap's order statistic of P95 in 1,000, and one of P99 in a million
        final double[][] shapes = {{0.5, 0.5}, {3, 7}, {950, 51}, {990_000, 10_001}};
        for (final double[] ab : shapes) {
            final int n = 20_000;
            final double[] draws = new double[n];
            for (int i = 0; i < n; i++) {
                draws[i] = Distributions.beta(random, ab[0], ab[1]);
            }
            Arrays.sort(draws);
            // Kolmogorov-Smirnov: the largest gap between the empirical and the exact distribution function,
            // under 1.63 / √n, the 1 % critical value
            double gap = 0;
            for (int i = 0; i < n; i++) {
                final double f = Distributions.regularizedBeta(draws[i], ab[0], ab[1]);
                gap = Math.max(gap, Math.max(Math.abs(f - (double)i / n), Math.abs(f - (i + 1.0) / n)));
            }
            assertTrue(gap < 1.63 / Math.sqrt(n), "KS distance of Beta(" + ab[0] + ", " + ab[1] + "): " + gap);
        }
    }
}
