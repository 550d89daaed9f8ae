package dev.ringmeter.core.query;

/**
 * A time series of one {@link Metric}: one value per step, NaN where the step had no data for the metric.
 *
 * @param metric  what the values are.
 * @param stepMs  width of each step.
 * @param startMs start of each step, epoch ms.
 * @param values  the metric in each step.
 */
public record Series(Metric metric, long stepMs, long[] startMs, double[] values) {
    /** @return the number of points. */
    public int size() {
        return startMs.length;
    }
}
