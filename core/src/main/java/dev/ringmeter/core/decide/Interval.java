package dev.ringmeter.core.decide;

/**
 * A confidence interval [lower, upper]; both bounds NaN where it cannot be computed (an empty group).
 * <p>
 * Threading: immutable; any thread.
 *
 * @param lower the lower bound.
 * @param upper the upper bound, at least the lower one.
 */
public record Interval(double lower, double upper) {
    /** The interval of a quantity that cannot be estimated. */
    public static final Interval UNKNOWN = new Interval(Double.NaN, Double.NaN);

    public Interval {
        if (lower > upper) {
            throw new IllegalArgumentException("interval lower bound " + lower + " above its upper bound " + upper);
        }
    }

    /** @return whether both bounds are numbers. */
    public boolean known() {
        return !Double.isNaN(lower) && !Double.isNaN(upper);
    }

    /** @return upper − lower. */
    public double width() {
        return upper - lower;
    }

    /**
     * @param x a value.
     * @return whether lower ≤ x ≤ upper.
     */
    public boolean contains(final double x) {
        return lower <= x && x <= upper;
    }

    Interval scaled(final double factor) {
        return new Interval(lower * factor, upper * factor);
    }
}
