package dev.ringmeter.core.decide;

/**
 * How much each component counts in {@link BestConfiguration}'s score: finite, non-negative numbers, at least
 * one above 0. Only their ratios matter: each component's share is its weight over their sum.
 * <p>
 * Threading: immutable; any thread.
 *
 * @param quality        weight of the quality mean.
 * @param p95Latency     weight of the P95 latency.
 * @param costPerSuccess weight of the cost per successful event.
 * @param successRate    weight of the success rate.
 */
public record Weights(double quality, double p95Latency, double costPerSuccess, double successRate) {
    /** Every component counts the same. */
    public static final Weights EQUAL = new Weights(1, 1, 1, 1);

    public Weights {
        check("quality", quality);
        check("p95Latency", p95Latency);
        check("costPerSuccess", costPerSuccess);
        check("successRate", successRate);
        final double total = quality + p95Latency + costPerSuccess + successRate;
        if (total == 0) {
            throw new IllegalArgumentException("weights: at least one of quality, p95Latency, costPerSuccess and"
                + " successRate must be above 0");
        }
        if (total == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("weights: their sum must be finite, got " + quality + " + "
                + p95Latency + " + " + costPerSuccess + " + " + successRate);
        }
    }

    /**
     * @param component one of the four.
     * @return its weight.
     */
    public double weight(final Component component) {
        return switch (component) {
            case QUALITY -> quality;
            case P95_LATENCY -> p95Latency;
            case COST_PER_SUCCESS -> costPerSuccess;
            case SUCCESS_RATE -> successRate;
        };
    }

    /** @return the sum of the weights, above 0. */
    public double total() {
        return quality + p95Latency + costPerSuccess + successRate;
    }

    private static void check(final String name, final double weight) {
        if (!(weight >= 0 && weight < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("weights." + name + " must be a finite number at least 0, got "
                + weight);
        }
    }
}
