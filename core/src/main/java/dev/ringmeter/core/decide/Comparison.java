package dev.ringmeter.core.decide;

import java.util.Objects;

/**
 * Whether group b differs from group a on one metric, and which way: the answer of {@link Significance}.
 * <p>
 * The difference is always b − a, in the unit of the inputs (a quantile of histograms in microseconds is in
 * microseconds; {@link #scaled} converts); the interval is that of b − a at {@link #confidenceLevel()}. The verdict
 * reads the interval with the metric's {@link Direction}: {@link Verdict#BETTER} means b is better than a.
 * <p>
 * Threading: immutable; any thread.
 *
 * @param method          how the interval was computed.
 * @param direction       which way the metric improves.
 * @param confidenceLevel of every interval in the result, e.g. 0.95.
 * @param a               group a: sample size, estimate and its own interval.
 * @param b               group b: sample size, estimate and its own interval.
 * @param difference      b − a of the estimates, NaN if a group is empty.
 * @param relativePercent (b − a) / |a| × 100, NaN when a is 0 or unknown.
 * @param interval        the confidence interval of b − a, {@link Interval#UNKNOWN} if a group is empty.
 * @param verdict         what the interval says about b against a.
 * @param reason          why the verdict is {@link Verdict#INSUFFICIENT_DATA} (which group, how many samples,
 *                        the minimum); null for any other verdict.
 */
public record Comparison(Method method, Direction direction, double confidenceLevel, Estimate a, Estimate b,
                         double difference, double relativePercent, Interval interval, Verdict verdict,
                         String reason) {
    public Comparison {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(verdict, "verdict");
        if ((verdict == Verdict.INSUFFICIENT_DATA) != (reason != null)) {
            throw new IllegalArgumentException("a reason is given exactly when the data are insufficient");
        }
    }

    /**
     * The same comparison in another unit, e.g. {@code scaled(1e-3)} for microseconds to milliseconds: estimates,
     * difference and intervals are multiplied; sample sizes, relative difference and verdict are unchanged.
     *
     * @param factor a finite number above 0.
     * @return a new comparison.
     */
    public Comparison scaled(final double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor must be a finite number above 0, got " + factor);
        }
        return new Comparison(method, direction, confidenceLevel, a.scaled(factor), b.scaled(factor),
            difference * factor, relativePercent, interval.scaled(factor), verdict, reason);
    }
}
