package dev.ringmeter.core.watch;

/**
 * What a {@link Trend} concludes about a metric's per-step series: a monotonic trend significant at 95 % (the
 * Mann–Kendall test), read in the metric's direction, or none, or too few points to say.
 * <p>
 * Threading: an enum; any thread.
 */
public enum TrendVerdict {
    /** A significant trend the better way: falling latency, error rate or cost; rising tokens/s or quality. */
    IMPROVING,
    /** A significant trend the worse way: rising latency, error rate or cost; falling tokens/s or quality. */
    DEGRADING,
    /** A significant rise of a metric that is neither better nor worse higher (count, rps, tokens). */
    RISING,
    /** A significant fall of a metric that is neither better nor worse lower (count, rps, tokens). */
    FALLING,
    /** No trend significant at 95 %. */
    STABLE,
    /** Fewer non-empty points than {@link Trend#MIN_POINTS}: no verdict. */
    INSUFFICIENT_DATA
}
