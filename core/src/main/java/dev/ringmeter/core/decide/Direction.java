package dev.ringmeter.core.decide;

/**
 * Which way a metric improves: lower latency, error rate and cost are better; higher success rate, quality and
 * tokens per second are better. A comparison needs it to turn a difference into {@link Verdict#BETTER} or
 * {@link Verdict#WORSE}; a configuration's score needs it to normalise a component so that 1 is the best.
 * <p>
 * Threading: an enum; any thread.
 */
public enum Direction {
    /** Smaller values are better: latency, time to first token, queue wait, error and timeout rates, cost. */
    LOWER_IS_BETTER,
    /** Larger values are better: success rate, cache hit rate, first-time-right, quality, tokens per second. */
    HIGHER_IS_BETTER;

    /**
     * @param difference b − a, or a bound of its interval.
     * @return whether b is better than a by that difference (false for 0).
     */
    public boolean improves(final double difference) {
        return this == LOWER_IS_BETTER ? difference < 0 : difference > 0;
    }
}
