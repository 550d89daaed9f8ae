package dev.ringmeter.core.decide;

import dev.ringmeter.core.query.WindowStats;

/**
 * What one candidate configuration measured, the raw input of {@link BestConfiguration}. A component that was
 * not measured is NaN (no quality score recorded, no event priced, no event at all).
 * <p>
 * Threading: immutable; any thread.
 *
 * @param qualityMean       mean of a quality score, finite, or NaN.
 * @param p95LatencyMs      95th percentile of latency in ms, at least 0, or NaN.
 * @param costPerSuccessUsd cost in USD per successful event, at least 0, or NaN.
 * @param successRate       successful events / events, 0 to 1, or NaN.
 */
public record Components(double qualityMean, double p95LatencyMs, double costPerSuccessUsd, double successRate) {
    public Components {
        check("qualityMean", qualityMean, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        check("p95LatencyMs", p95LatencyMs, 0, Double.POSITIVE_INFINITY);
        check("costPerSuccessUsd", costPerSuccessUsd, 0, Double.POSITIVE_INFINITY);
        check("successRate", successRate, 0, 1);
    }

    /**
     * The components of one window's analytics: success rate = ok / count; cost per success = cost / ok (NaN when
     * no event of the window was priced: cost unknown is not $0); P95 latency from the latency histogram; the
     * mean of the named quality score.
     *
     * @param stats       the window of one candidate (model, configuration, run).
     * @param qualityName the quality score to use, or null for none.
     * @return the components, NaN where the window has no data for one.
     */
    public static Components of(final WindowStats stats, final String qualityName) {
        final long count = stats.count();
        final long ok = stats.okCount();
        return new Components(
            qualityName == null ? Double.NaN : stats.qualityMean(qualityName),
            count == 0 ? Double.NaN : stats.latencyMs(95),
            ok == 0 || stats.pricedCount() == 0 ? Double.NaN : stats.costUsd() / ok,
            count == 0 ? Double.NaN : (double)ok / count);
    }

    /**
     * @param component one of the four.
     * @return its value here, NaN if missing.
     */
    public double value(final Component component) {
        return switch (component) {
            case QUALITY -> qualityMean;
            case P95_LATENCY -> p95LatencyMs;
            case COST_PER_SUCCESS -> costPerSuccessUsd;
            case SUCCESS_RATE -> successRate;
        };
    }

    private static void check(final String name, final double value, final double min, final double max) {
        if (!Double.isNaN(value) && !(value >= min && value <= max && Double.isFinite(value))) {
            throw new IllegalArgumentException(name + " must be NaN (missing) or a finite number from " + min + " to "
                + max + ", got " + value);
        }
    }
}
