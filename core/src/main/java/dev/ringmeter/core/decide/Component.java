package dev.ringmeter.core.decide;

/**
 * One part of a configuration's score in {@link BestConfiguration}, with its name on the wire and the way it
 * improves.
 * <p>
 * Threading: an enum; any thread.
 */
public enum Component {
    /** The mean of a named quality score: higher is better. */
    QUALITY("quality", Direction.HIGHER_IS_BETTER),
    /** The 95th percentile of latency in milliseconds: lower is better. */
    P95_LATENCY("p95LatencyMs", Direction.LOWER_IS_BETTER),
    /** Cost in USD per successful event (task): lower is better. */
    COST_PER_SUCCESS("costPerSuccessUsd", Direction.LOWER_IS_BETTER),
    /** Successful events / events: higher is better. */
    SUCCESS_RATE("successRate", Direction.HIGHER_IS_BETTER);

    private final String key;
    private final Direction direction;

    Component(final String key, final Direction direction) {
        this.key = key;
        this.direction = direction;
    }

    /** @return the component's name in queries and answers, e.g. {@code p95LatencyMs}. */
    public String key() {
        return key;
    }

    /** @return which way the component improves. */
    public Direction direction() {
        return direction;
    }
}
