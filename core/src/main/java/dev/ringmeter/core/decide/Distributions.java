package dev.ringmeter.core.decide;

import java.util.SplittableRandom;

/**
 * The distributions the comparisons need, written here so the core takes no statistics dependency: the normal
 * and Student t quantiles, and Gamma and Beta draws.
 * <p>
 * The t quantile: for more than 30 degrees of freedom, the Cornish-Fisher expansion around the normal quantile
 * to the fourth order in 1/df (Abramowitz and Stegun 26.7.5; at 31 degrees it is within 1e-6 of the exact
 * value); at 30 and below, where that series drifts, the exact Student t distribution function (a regularised
 * incomplete Beta function) inverted by bisection, which also serves Welch's fractional degrees of freedom.
 * <p>
 * Threading: stateless; any thread. A draw uses the caller's generator, which belongs to one thread.
 */
final class Distributions {
    /** Degrees of freedom above which the t quantile is the normal-based series rather than the exact inverse. */
    static final double T_SERIES_ABOVE_DF = 30;

    private static final double[] LANCZOS = {
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    private static final double[] ACKLAM_A = {
        -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
        -3.066479806614716e+01, 2.506628277459239e+00};
    private static final double[] ACKLAM_B = {
        -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
        -1.328068155288572e+01};
    private static final double[] ACKLAM_C = {
        -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
        4.374664141464968e+00, 2.938163982698783e+00};
    private static final double[] ACKLAM_D = {
        7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
    private static final double ACKLAM_LOW = 0.02425;

    private Distributions() {
    }

    /**
     * The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9).
     *
     * @param p a probability strictly between 0 and 1.
     * @return z with P(Z ≤ z) = p.
     */
    static double normalQuantile(final double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("probability must be strictly between 0 and 1, got " + p);
        }
        if (p < ACKLAM_LOW) {
            return lowerTail(Math.sqrt(-2 * Math.log(p)));
        }
        if (p > 1 - ACKLAM_LOW) {
            return -lowerTail(Math.sqrt(-2 * Math.log1p(-p)));
        }
        final double q = p - 0.5;
        final double r = q * q;
        final double[] a = ACKLAM_A;
        final double[] b = ACKLAM_B;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }

    private static double lowerTail(final double q) {
        final double[] c = ACKLAM_C;
        final double[] d = ACKLAM_D;
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }

    /**
     * The Student t quantile (see the class comment for the method at each range of degrees of freedom).
     *
     * @param p  a probability strictly between 0 and 1.
     * @param df degrees of freedom, at least 1 (fractional allowed); infinite gives the normal quantile.
     * @return t with P(T ≤ t) = p.
     */
    static double tQuantile(final double p, final double df) {
        if (!(df >= 1)) {
            throw new IllegalArgumentException("degrees of freedom must be at least 1, got " + df);
        }
        final double z = normalQuantile(p);
        if (df > T_SERIES_ABOVE_DF) {
            final double z2 = z * z;
            final double g1 = (z2 + 1) * z / 4;
            final double g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
            final double g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
            final double g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
            return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
        }
        if (p == 0.5) {
            return 0;
        }
        // P(|T| > t) = I_x(df/2, 1/2) with x = df / (df + t^2), increasing in x: bisect x for the two-sided tail
        final double tail = 2 * Math.min(p, 1 - p);
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 200 && hi - lo > 1e-300; i++) {
            final double mid = 0.5 * (lo + hi);
            if (mid == lo || mid == hi) {
                break;
            }
            if (regularizedBeta(mid, df / 2, 0.5) < tail) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        final double x = 0.5 * (lo + hi);
        final double t = Math.sqrt(df * (1 - x) / x);
        return p > 0.5 ? t : -t;
    }

    /**
     * The regularised incomplete Beta function I_x(a, b) by its continued fraction (modified Lentz).
     *
     * @param x in [0, 1].
     * @param a above 0.
     * @param b above 0.
     * @return I_x(a, b).
     */
    static double regularizedBeta(final double x, final double a, final double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        final double front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x)
            + b * Math.log1p(-x));
        if (x < (a + 1) / (a + b + 2)) {
            return front * betaFraction(x, a, b) / a;
        }
        return 1 - front * betaFraction(1 - x, b, a) / b;
    }

    private static double betaFraction(final double x, final double a, final double b) {
        final double tiny = 1e-300;
        double c = 1;
        double d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.abs(d) < tiny ? tiny : d);
        double h = d;
        for (int m = 1; m <= 1000; m++) {
            final int m2 = 2 * m;
            double aa = m * (b - m) * x / ((a - 1 + m2) * (a + m2));
            d = 1 + aa * d;
            d = 1 / (Math.abs(d) < tiny ? tiny : d);
            c = 1 + aa / c;
            c = Math.abs(c) < tiny ? tiny : c;
            h *= d * c;
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2));
            d = 1 + aa * d;
            d = 1 / (Math.abs(d) < tiny ? tiny : d);
            c = 1 + aa / c;
            c = Math.abs(c) < tiny ? tiny : c;
            final double step = d * c;
            h *= step;
            if (Math.abs(step - 1) < 1e-15) {
                break;
            }
        }
        return h;
    }

    /**
     * ln Γ(x) by the Lanczos approximation (g = 7, nine terms; relative error about 1e-15).
     *
     * @param x above 0.
     * @return ln Γ(x).
     */
    static double lnGamma(final double x) {
        if (x < 0.5) {
            // reflection: Γ(x) Γ(1 − x) = π / sin(π x)
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
        }
        final double y = x - 1;
        double sum = LANCZOS[0];
        for (int i = 1; i < LANCZOS.length; i++) {
            sum += LANCZOS[i] / (y + i);
        }
        final double t = y + 7.5;
        return HALF_LOG_TWO_PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
    }

    /**
     * A Gamma(shape, 1) draw by Marsaglia and Tsang's method (2000): a squeezed rejection from a transformed normal,
     * about 1.03 normal draws per value whatever the shape; below shape 1, Gamma(shape + 1) · U^(1/shape).
     *
     * @param random the caller's generator.
     * @param shape  above 0.
     * @return the draw.
     */
    static double gamma(final SplittableRandom random, final double shape) {
        if (shape < 1) {
            return gamma(random, shape + 1) * Math.pow(random.nextDouble(), 1 / shape);
        }
        final double d = shape - 1.0 / 3;
        final double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = random.nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            final double u = random.nextDouble();
            final double x2 = x * x;
            if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    /**
     * A Beta(a, b) draw as X / (X + Y) of two Gamma draws.
     *
     * @param random the caller's generator.
     * @param a      above 0.
     * @param b      above 0.
     * @return the draw, in [0, 1].
     */
    static double beta(final SplittableRandom random, final double a, final double b) {
        final double x = gamma(random, a);
        final double y = gamma(random, b);
        return x / (x + y);
    }
}
