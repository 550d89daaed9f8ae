package dev.ringmeter.core.decide;

import org.HdrHistogram.AbstractHistogram;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Is the difference between two groups (two models, two configurations, two runs) real? Each method returns a
 * {@link Comparison}: both groups' estimates with their intervals, the difference b − a with its confidence
 * interval, and a {@link Verdict} read from that interval with the metric's {@link Direction}.
 * <ul>
 * <li>{@link #percentile}: a quantile (latency, time to first token, queue wait) of two HdrHistograms, by a
 * percentile bootstrap that never materialises the samples. The p-quantile of a resample of n values drawn with
 * replacement is the k-th smallest of them, k = ceil(p n); that order statistic is the empirical quantile
 * function at U, where U ~ Beta(k, n + 1 − k) is the k-th smallest of n uniforms. So a replicate is one Beta draw
 * per group and a lookup of the value at that rank: O(replicates) in all, flat in n (plus one pass over the
 * histograms' buckets to tabulate their ranks). The generator is a {@link SplittableRandom} with a fixed seed,
 * so the same histograms give the same answer.</li>
 * <li>{@link #rate}: a proportion (error, success, timeout, cache hit, first-time-right rate): the Wilson score
 * interval of each, Newcombe's hybrid score interval of the difference (method 10 of Newcombe, Statistics in
 * Medicine 17, 1998).</li>
 * <li>{@link #mean}: a mean (quality score, tokens, cost per task) from count, mean and sample variance: Welch's
 * interval with the Welch-Satterthwaite degrees of freedom (the t quantile: see {@link Distributions}).</li>
 * </ul>
 * Below a method's minimum sample size in either group the verdict is {@link Verdict#INSUFFICIENT_DATA} and the
 * comparison says why; its estimates and intervals are still given where they can be computed.
 * <ul>
 * <li>A quantile p needs n · min(p, 1 − p) ≥ {@value #MIN_TAIL_EVENTS} in each group (P50: 10 events, P95: 100,
 * P99: 500): with fewer values beyond it, the quantile is set by one or two events, a resample's quantile takes
 * only a handful of distinct values, and the bootstrap of such an extreme quantile is not to be trusted (for the
 * maximum it fails outright). Five is the usual "five expected on the thinner side" rule of a binomial count, the
 * count of values below the quantile being one.</li>
 * <li>A rate needs n ≥ {@value #MIN_RATE_TRIALS} trials in each group: below that one event moves the rate by more
 * than ten points, and a verdict would rest on one or two events.</li>
 * <li>A mean needs n ≥ {@value #MIN_MEAN_EVENTS} in each group: Welch's interval leans on the means being nearly
 * normal and on the variances being estimated, neither of which holds for a handful of skewed values.</li>
 * </ul>
 * <p>
 * Threading: stateless; any thread. A histogram passed in must not change during the call (a {@code WindowStats}
 * holds a copy). Memory: a percentile comparison allocates three arrays of {@code replicates} doubles and two of
 * the histograms' non-empty buckets for the length of the call; the others allocate only their result.
 */
public final class Significance {
    /** The confidence level of the methods without one: 95 %. */
    public static final double DEFAULT_CONFIDENCE = 0.95;
    /** Bootstrap replicates of {@link #percentile(AbstractHistogram, AbstractHistogram, double, Direction)}. */
    public static final int DEFAULT_REPLICATES = 2_000;
    /** The least number of bootstrap replicates accepted: fewer make the interval's bounds noise. */
    public static final int MIN_REPLICATES = 100;
    /** The most bootstrap replicates accepted: 100,000 keep a call under 2.4 MB and about 0.1 s. */
    public static final int MAX_REPLICATES = 100_000;
    /** The bootstrap's seed where the caller gives none. */
    public static final long DEFAULT_SEED = 0x52494E474D455452L;
    /** Events a quantile's group needs beyond it on its thinner side: n · min(p, 1 − p). */
    public static final int MIN_TAIL_EVENTS = 5;
    /** Trials a rate's group needs. */
    public static final int MIN_RATE_TRIALS = 10;
    /** Events a mean's group needs. */
    public static final int MIN_MEAN_EVENTS = 10;
    /** The lowest confidence level accepted. */
    public static final double MIN_CONFIDENCE = 0.5;
    /** The highest confidence level accepted. */
    public static final double MAX_CONFIDENCE = 0.999;

    private Significance() {
    }

    /**
     * Compares the p-th percentile of two histograms at 95 % with {@value #DEFAULT_REPLICATES} replicates.
     *
     * @param a          group a's values (e.g. {@code WindowStats.latencyHistogramUs()}, in microseconds).
     * @param b          group b's values, in the same unit.
     * @param percentile above 0 and below 100, e.g. 95 or 99.9.
     * @param direction  which way the metric improves.
     * @return the comparison, in the histograms' unit.
     */
    public static Comparison percentile(final AbstractHistogram a, final AbstractHistogram b,
                                        final double percentile, final Direction direction) {
        return percentile(a, b, percentile, direction, DEFAULT_CONFIDENCE, DEFAULT_REPLICATES, DEFAULT_SEED);
    }

    /**
     * Compares the p-th percentile of two histograms by a percentile bootstrap (see the class comment).
     *
     * @param a               group a's values.
     * @param b               group b's values, in the same unit.
     * @param percentile      above 0 and below 100.
     * @param direction       which way the metric improves.
     * @param confidenceLevel {@value #MIN_CONFIDENCE} to {@value #MAX_CONFIDENCE}.
     * @param replicates      {@value #MIN_REPLICATES} to {@value #MAX_REPLICATES}.
     * @param seed            of the generator: the same seed and histograms give the same answer.
     * @return the comparison, in the histograms' unit.
     */
    public static Comparison percentile(final AbstractHistogram a, final AbstractHistogram b,
                                        final double percentile, final Direction direction,
                                        final double confidenceLevel, final int replicates, final long seed) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        Objects.requireNonNull(direction, "direction");
        if (!(percentile > 0 && percentile < 100)) {
            throw new IllegalArgumentException("percentile must be above 0 and below 100 (the minimum and maximum"
                + " have no bootstrap interval), got " + percentile);
        }
        checkConfidence(confidenceLevel);
        if (replicates < MIN_REPLICATES || replicates > MAX_REPLICATES) {
            throw new IllegalArgumentException("replicates must be " + MIN_REPLICATES + " to " + MAX_REPLICATES
                + ", got " + replicates);
        }
        final HistogramRanks ranksA = new HistogramRanks(a);
        final HistogramRanks ranksB = new HistogramRanks(b);
        final long nA = ranksA.count();
        final long nB = ranksB.count();
        final double tail = Math.min(percentile, 100 - percentile) / 100;
        final String reason = shortfall(nA * tail, nB * tail, MIN_TAIL_EVENTS, nA, nB,
            "the " + (percentile == Math.rint(percentile) ? Long.toString((long)percentile)
                : Double.toString(percentile)) + "th percentile needs n * min(p, 1 - p) >= " + MIN_TAIL_EVENTS
                + ", at least " + (long)Math.ceil(MIN_TAIL_EVENTS / tail - 1e-6) + " events, in each group");
        if (nA == 0 || nB == 0) {
            return empty(Method.BOOTSTRAP_QUANTILE, direction, confidenceLevel, nA, nB, reason,
                nA == 0 ? Double.NaN : ranksA.valueAtRank(HistogramRanks.rankOf(percentile, nA)),
                nB == 0 ? Double.NaN : ranksB.valueAtRank(HistogramRanks.rankOf(percentile, nB)));
        }
        final long kA = HistogramRanks.rankOf(percentile, nA);
        final long kB = HistogramRanks.rankOf(percentile, nB);
        final double[] qa = new double[replicates];
        final double[] qb = new double[replicates];
        final double[] diff = new double[replicates];
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < replicates; i++) {
            qa[i] = ranksA.valueAtRank(resampledRank(random, kA, nA));
            qb[i] = ranksB.valueAtRank(resampledRank(random, kB, nB));
            diff[i] = qb[i] - qa[i];
        }
        final double alpha = 1 - confidenceLevel;
        final Estimate ea = new Estimate(nA, ranksA.valueAtRank(kA), percentileInterval(qa, alpha));
        final Estimate eb = new Estimate(nB, ranksB.valueAtRank(kB), percentileInterval(qb, alpha));
        return compared(Method.BOOTSTRAP_QUANTILE, direction, confidenceLevel, ea, eb,
            percentileInterval(diff, alpha), reason);
    }

    /**
     * The rank, in a group of n, of the k-th smallest of a resample of n values drawn with replacement: the
     * empirical quantile function at U ~ Beta(k, n + 1 − k).
     */
    static long resampledRank(final SplittableRandom random, final long k, final long n) {
        final double u = Distributions.beta(random, k, n + 1 - k);
        return Math.min(n, Math.max(1, (long)Math.ceil(u * n)));
    }

    /**
     * The two-sided percentile interval of replicates: their alpha/2 and 1 − alpha/2 quantiles, interpolated
     * between order statistics (Hyndman and Fan's type 7, the default of R and NumPy). Sorts the array.
     */
    static Interval percentileInterval(final double[] replicates, final double alpha) {
        Arrays.sort(replicates);
        return new Interval(quantileOfSorted(replicates, alpha / 2), quantileOfSorted(replicates, 1 - alpha / 2));
    }

    static double quantileOfSorted(final double[] sorted, final double p) {
        final double h = (sorted.length - 1) * p;
        final int lo = (int)Math.floor(h);
        final int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /**
     * Compares two proportions at 95 %.
     *
     * @param successesA group a's events that have the property (errors for an error rate, hits for a hit rate).
     * @param nA         group a's trials (events), at least successesA.
     * @param successesB group b's events that have the property.
     * @param nB         group b's trials, at least successesB.
     * @param direction  which way the rate improves (an error rate: lower; a success rate: higher).
     * @return the comparison of the proportions (0 to 1).
     */
    public static Comparison rate(final long successesA, final long nA, final long successesB, final long nB,
                                  final Direction direction) {
        return rate(successesA, nA, successesB, nB, direction, DEFAULT_CONFIDENCE);
    }

    /**
     * Compares two proportions: Wilson score intervals, Newcombe's hybrid score interval of pB − pA.
     *
     * @param successesA      group a's events that have the property.
     * @param nA              group a's trials.
     * @param successesB      group b's events that have the property.
     * @param nB              group b's trials.
     * @param direction       which way the rate improves.
     * @param confidenceLevel {@value #MIN_CONFIDENCE} to {@value #MAX_CONFIDENCE}.
     * @return the comparison of the proportions (0 to 1).
     */
    public static Comparison rate(final long successesA, final long nA, final long successesB, final long nB,
                                  final Direction direction, final double confidenceLevel) {
        Objects.requireNonNull(direction, "direction");
        checkCounts("A", successesA, nA);
        checkCounts("B", successesB, nB);
        checkConfidence(confidenceLevel);
        final String reason = shortfall(nA, nB, MIN_RATE_TRIALS, nA, nB,
            "a rate needs at least " + MIN_RATE_TRIALS + " trials in each group");
        if (nA == 0 || nB == 0) {
            return empty(Method.NEWCOMBE_HYBRID_SCORE, direction, confidenceLevel, nA, nB, reason,
                nA == 0 ? Double.NaN : (double)successesA / nA, nB == 0 ? Double.NaN : (double)successesB / nB);
        }
        final Estimate ea = new Estimate(nA, (double)successesA / nA, wilson(successesA, nA, confidenceLevel));
        final Estimate eb = new Estimate(nB, (double)successesB / nB, wilson(successesB, nB, confidenceLevel));
        return compared(Method.NEWCOMBE_HYBRID_SCORE, direction, confidenceLevel, ea, eb,
            newcombe(ea, eb), reason);
    }

    /**
     * The Wilson score interval of a proportion: the p whose score test at the level does not reject.
     *
     * @param successes       events that have the property, 0 to n.
     * @param n               trials, at least 1.
     * @param confidenceLevel {@value #MIN_CONFIDENCE} to {@value #MAX_CONFIDENCE}.
     * @return the interval, within [0, 1].
     */
    public static Interval wilson(final long successes, final long n, final double confidenceLevel) {
        checkCounts("", successes, n);
        if (n == 0) {
            throw new IllegalArgumentException("n must be at least 1 for a Wilson interval");
        }
        checkConfidence(confidenceLevel);
        final double z = Distributions.normalQuantile(1 - (1 - confidenceLevel) / 2);
        final double p = (double)successes / n;
        final double z2n = z * z / n;
        final double centre = (p + z2n / 2) / (1 + z2n);
        final double half = z / (1 + z2n) * Math.sqrt(p * (1 - p) / n + z2n / (4.0 * n));
        // the bounds are exactly 0 and 1 at p = 0 and p = 1; clamp the rounding
        return new Interval(successes == 0 ? 0 : Math.max(0, centre - half),
            successes == n ? 1 : Math.min(1, centre + half));
    }

    /**
     * Newcombe's hybrid score interval of pB − pA from the two groups' Wilson intervals (method 10):
     * [d − √((pB − lB)² + (uA − pA)²), d + √((uB − pB)² + (pA − lA)²)].
     */
    private static Interval newcombe(final Estimate a, final Estimate b) {
        final double d = b.value() - a.value();
        final double down = Math.hypot(b.value() - b.interval().lower(), a.interval().upper() - a.value());
        final double up = Math.hypot(b.interval().upper() - b.value(), a.value() - a.interval().lower());
        return new Interval(d - down, d + up);
    }

    /**
     * Compares two means at 95 %.
     *
     * @param nA        group a's count.
     * @param meanA     group a's mean.
     * @param varianceA group a's sample variance (n − 1 in the denominator), at least 0.
     * @param nB        group b's count.
     * @param meanB     group b's mean.
     * @param varianceB group b's sample variance.
     * @param direction which way the metric improves.
     * @return the comparison of the means.
     */
    public static Comparison mean(final long nA, final double meanA, final double varianceA,
                                  final long nB, final double meanB, final double varianceB,
                                  final Direction direction) {
        return mean(nA, meanA, varianceA, nB, meanB, varianceB, direction, DEFAULT_CONFIDENCE);
    }

    /**
     * Compares two means by Welch's interval: b − a ± t(1 − α/2, ν) · se, se² = vA/nA + vB/nB, ν by
     * Welch-Satterthwaite. Each group's own interval is its mean ± t(1 − α/2, n − 1) · √(v/n). Where both variances
     * are 0 the difference is known exactly and its interval is a point.
     *
     * @param nA              group a's count.
     * @param meanA           group a's mean.
     * @param varianceA       group a's sample variance (n − 1 in the denominator), at least 0.
     * @param nB              group b's count.
     * @param meanB           group b's mean.
     * @param varianceB       group b's sample variance.
     * @param direction       which way the metric improves.
     * @param confidenceLevel {@value #MIN_CONFIDENCE} to {@value #MAX_CONFIDENCE}.
     * @return the comparison of the means.
     */
    public static Comparison mean(final long nA, final double meanA, final double varianceA,
                                  final long nB, final double meanB, final double varianceB,
                                  final Direction direction, final double confidenceLevel) {
        Objects.requireNonNull(direction, "direction");
        checkMoments("A", nA, meanA, varianceA);
        checkMoments("B", nB, meanB, varianceB);
        checkConfidence(confidenceLevel);
        final String reason = shortfall(nA, nB, MIN_MEAN_EVENTS, nA, nB,
            "a mean needs at least " + MIN_MEAN_EVENTS + " events in each group");
        if (nA < 2 || nB < 2) {
            return empty(Method.WELCH, direction, confidenceLevel, nA, nB, reason,
                nA == 0 ? Double.NaN : meanA, nB == 0 ? Double.NaN : meanB);
        }
        final double p = 1 - (1 - confidenceLevel) / 2;
        final double seA2 = varianceA / nA;
        final double seB2 = varianceB / nB;
        final double se2 = seA2 + seB2;
        final double d = meanB - meanA;
        final Interval interval;
        if (se2 == 0) {
            interval = new Interval(d, d);
        } else {
            final double df = se2 * se2 / (seA2 * seA2 / (nA - 1) + seB2 * seB2 / (nB - 1));
            final double half = Distributions.tQuantile(p, Math.max(1, df)) * Math.sqrt(se2);
            interval = new Interval(d - half, d + half);
        }
        return compared(Method.WELCH, direction, confidenceLevel, meanEstimate(nA, meanA, seA2, p),
            meanEstimate(nB, meanB, seB2, p), interval, reason);
    }

    private static Estimate meanEstimate(final long n, final double mean, final double se2, final double p) {
        final double half = se2 == 0 ? 0 : Distributions.tQuantile(p, n - 1) * Math.sqrt(se2);
        return new Estimate(n, mean, new Interval(mean - half, mean + half));
    }

    private static Comparison compared(final Method method, final Direction direction, final double level,
                                       final Estimate a, final Estimate b, final Interval interval,
                                       final String reason) {
        final double d = b.value() - a.value();
        final Verdict verdict;
        if (reason != null) {
            verdict = Verdict.INSUFFICIENT_DATA;
        } else if (interval.lower() > 0 || interval.upper() < 0) {
            verdict = direction.improves(d) ? Verdict.BETTER : Verdict.WORSE;
        } else {
            verdict = Verdict.NO_SIGNIFICANT_DIFFERENCE;
        }
        return new Comparison(method, direction, level, a, b, d, relativePercent(a.value(), d), interval, verdict,
            reason);
    }

    private static Comparison empty(final Method method, final Direction direction, final double level,
                                    final long nA, final long nB, final String reason,
                                    final double valueA, final double valueB) {
        final double d = valueB - valueA;
        return new Comparison(method, direction, level, new Estimate(nA, valueA, Interval.UNKNOWN),
            new Estimate(nB, valueB, Interval.UNKNOWN), d, relativePercent(valueA, d), Interval.UNKNOWN,
            Verdict.INSUFFICIENT_DATA, reason);
    }

    private static double relativePercent(final double a, final double d) {
        return a == 0 || Double.isNaN(a) ? Double.NaN : d / Math.abs(a) * 100;
    }

    /** @return why the groups are too small (naming each short group and its size), or null if both suffice. */
    private static String shortfall(final double measureA, final double measureB, final double minimum,
                                    final long nA, final long nB, final String rule) {
        // a tolerance for products such as 5000 * (100 - 99.9) / 100, which falls just short of 5 in doubles
        final boolean shortA = measureA < minimum - 1e-9;
        final boolean shortB = measureB < minimum - 1e-9;
        if (!shortA && !shortB) {
            return null;
        }
        final StringBuilder s = new StringBuilder(rule).append(": ");
        if (shortA) {
            s.append("group a has ").append(nA);
        }
        if (shortB) {
            s.append(shortA ? ", " : "").append("group b has ").append(nB);
        }
        return s.toString();
    }

    private static void checkConfidence(final double level) {
        if (!(level >= MIN_CONFIDENCE && level <= MAX_CONFIDENCE)) {
            throw new IllegalArgumentException("confidenceLevel must be " + MIN_CONFIDENCE + " to " + MAX_CONFIDENCE
                + ", got " + level);
        }
    }

    private static void checkCounts(final String group, final long successes, final long n) {
        if (n < 0 || successes < 0 || successes > n) {
            throw new IllegalArgumentException("successes" + group + " must be 0 to n" + group + " and n" + group
                + " at least 0, got " + successes + " of " + n);
        }
    }

    private static void checkMoments(final String group, final long n, final double mean, final double variance) {
        if (n < 0) {
            throw new IllegalArgumentException("n" + group + " must be at least 0, got " + n);
        }
        if (n > 0 && !Double.isFinite(mean)) {
            throw new IllegalArgumentException("mean" + group + " must be finite, got " + mean);
        }
        if (n > 1 && !(variance >= 0 && variance < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("variance" + group + " must be finite and at least 0, got "
                + variance);
        }
    }
}
