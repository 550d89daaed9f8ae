package dev.ringmeter.core.decide;

/**
 * One group's side of a {@link Comparison}: its sample size, its estimate (the quantile, the proportion or the
 * mean) and that estimate's own confidence interval at the comparison's level.
 * <p>
 * Threading: immutable; any thread.
 *
 * @param n        the group's sample size (events, or trials of a rate).
 * @param value    the estimate, NaN for an empty group.
 * @param interval the estimate's confidence interval, {@link Interval#UNKNOWN} where it cannot be computed.
 */
public record Estimate(long n, double value, Interval interval) {
    Estimate scaled(final double factor) {
        return new Estimate(n, value * factor, interval.scaled(factor));
    }
}
