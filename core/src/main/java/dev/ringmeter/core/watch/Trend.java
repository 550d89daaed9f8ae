package dev.ringmeter.core.watch;

import dev.ringmeter.core.decide.Direction;
import dev.ringmeter.core.query.Series;

import java.util.Arrays;

/**
 * The trend of a metric over a window, from its per-step series: the change of the window's mean against the
 * previous window's, the Theil–Sen slope (the median of the slopes between every pair of points, robust to a
 * third of outliers), and the Mann–Kendall test of a monotonic trend (S, its variance corrected for ties, Z with
 * the continuity correction, the two-sided p-value), with a {@link TrendVerdict} at 95 %.
 * <p>
 * Empty steps (NaN) are skipped, not read as zeros: a minute without calls has no latency. Under
 * {@link #MIN_POINTS} non-empty points in the window the verdict is {@link TrendVerdict#INSUFFICIENT_DATA}. The
 * test and the slope look at the pairs of points, O(n²) in time and, for the slope, in memory: at most
 * {@link #MAX_POINTS} steps per window (8.3 MB of pairwise slopes), checked by {@link #of}.
 * <p>
 * Threading: an immutable value; {@link #of} is stateless and allocates (a query path); any thread.
 *
 * @param points        the non-empty steps in the window.
 * @param previousMean  the mean of the non-empty steps of the previous window; NaN if it had none.
 * @param currentMean   the mean of the non-empty steps of the window; NaN if it had none.
 * @param change        currentMean − previousMean; NaN if either is NaN.
 * @param changePercent the change in % of previousMean; NaN if previousMean is NaN or 0.
 * @param slopePerHour  the Theil–Sen slope, in the metric's unit per hour; NaN under 2 points.
 * @param s             the Mann–Kendall statistic: over every pair i &lt; j, the sum of sign(x_j − x_i).
 * @param variance      the variance of S under no trend, corrected for ties.
 * @param z             the normal score of S with the continuity correction; 0 when S is 0 or the variance is 0.
 * @param p             the two-sided p-value of Z.
 * @param verdict       what the test concludes in the metric's direction.
 */
public record Trend(int points, double previousMean, double currentMean, double change, double changePercent,
                    double slopePerHour, long s, double variance, double z, double p, TrendVerdict verdict) {
    /** The fewest non-empty steps a verdict needs; 8 points give the test a power of its own. */
    public static final int MIN_POINTS = 8;
    /** The most steps a window may hold: a day of minutes. */
    public static final int MAX_POINTS = 1_440;
    /** The significance level of the verdict (95 % confidence). */
    public static final double ALPHA = 0.05;

    private static final double MS_PER_HOUR = 3_600_000.0;

    /**
     * @param series        the metric per step over the previous window and the window, in time order.
     * @param windowStartMs where the window starts: steps starting before it are the previous window.
     * @param direction     which way the metric improves, or null for a metric that is neither better nor worse
     *                      higher.
     * @return the trend of the window.
     * @throws IllegalArgumentException when the window holds more than {@link #MAX_POINTS} steps.
     */
    public static Trend of(final Series series, final long windowStartMs, final Direction direction) {
        final long[] startMs = series.startMs();
        final double[] values = series.values();
        int first = 0;
        while (first < startMs.length && startMs[first] < windowStartMs) {
            first++;
        }
        if (startMs.length - first > MAX_POINTS) {
            throw new IllegalArgumentException("the window holds " + (startMs.length - first) + " steps; at most "
                + MAX_POINTS);
        }
        final double previousMean = mean(values, 0, first);
        final double[] x = new double[startMs.length - first];
        final long[] t = new long[x.length];
        int n = 0;
        for (int i = first; i < values.length; i++) {
            if (!Double.isNaN(values[i])) {
                x[n] = values[i];
                t[n++] = startMs[i];
            }
        }
        final double currentMean = mean(x, 0, n);
        final double change = currentMean - previousMean;
        final double changePercent = previousMean == 0 ? Double.NaN : 100 * change / Math.abs(previousMean);
        final double slopePerHour = theilSenSlopePerMs(t, x, n) * MS_PER_HOUR;
        final long s = mannKendallS(x, n);
        final double variance = mannKendallVariance(x, n);
        final double z = s == 0 || variance == 0 ? 0 : (s > 0 ? s - 1 : s + 1) / Math.sqrt(variance);
        final double p = twoSidedP(z);
        return new Trend(n, previousMean, currentMean, change, changePercent, slopePerHour, s, variance, z, p,
            verdict(n, s, p, direction));
    }

    private static TrendVerdict verdict(final int n, final long s, final double p, final Direction direction) {
        if (n < MIN_POINTS) {
            return TrendVerdict.INSUFFICIENT_DATA;
        }
        if (!(p < ALPHA) || s == 0) {
            return TrendVerdict.STABLE;
        }
        if (direction == null) {
            return s > 0 ? TrendVerdict.RISING : TrendVerdict.FALLING;
        }
        return direction.improves(s) ? TrendVerdict.IMPROVING : TrendVerdict.DEGRADING;
    }

    private static double mean(final double[] values, final int from, final int to) {
        double sum = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            if (!Double.isNaN(values[i])) {
                sum += values[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** The median of (x_j − x_i) / (t_j − t_i) over i &lt; j; NaN under 2 points. */
    static double theilSenSlopePerMs(final long[] t, final double[] x, final int n) {
        if (n < 2) {
            return Double.NaN;
        }
        final double[] slopes = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                slopes[k++] = (x[j] - x[i]) / (t[j] - t[i]);
            }
        }
        Arrays.sort(slopes);
        return k % 2 == 1 ? slopes[k / 2] : (slopes[k / 2 - 1] + slopes[k / 2]) / 2;
    }

    /** S = Σ_{i&lt;j} sign(x_j − x_i). */
    static long mannKendallS(final double[] x, final int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                s += x[j] > x[i] ? 1 : x[j] < x[i] ? -1 : 0;
            }
        }
        return s;
    }

    /** Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18, over the groups of t tied values. */
    static double mannKendallVariance(final double[] x, final int n) {
        final double[] sorted = Arrays.copyOf(x, n);
        Arrays.sort(sorted);
        double ties = 0;
        int i = 0;
        while (i < n) {
            int j = i + 1;
            while (j < n && sorted[j] == sorted[i]) {
                j++;
            }
            final double g = j - i;
            ties += g * (g - 1) * (2 * g + 5);
            i = j;
        }
        return ((double) n * (n - 1) * (2.0 * n + 5) - ties) / 18;
    }

    /**
     * P(|Z| ≥ |z|) for a standard normal Z: erfc(|z| / √2), by the Chebyshev fit of Numerical Recipes (erfcc,
     * fractional error below 1.2e-7 everywhere).
     */
    static double twoSidedP(final double z) {
        final double a = Math.abs(z) / Math.sqrt(2);
        final double u = 1 / (1 + 0.5 * a);
        final double erfc = u * Math.exp(-a * a - 1.26551223 + u * (1.00002368 + u * (0.37409196 + u * (0.09678418
            + u * (-0.18628806 + u * (0.27886807 + u * (-1.13520398 + u * (1.48851587 + u * (-0.82215223
            + u * 0.17087277)))))))));
        return Math.min(1, erfc);
    }
}
