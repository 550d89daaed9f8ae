package dev.ringmeter.core.query;

/**
 * A time series of one metric (a {@link Metric}, or a quality score's mean): one value per step, NaN where the step
 * had no data for the metric.
 *
 * @param metric  what the values are: the API name, as {@link SeriesMetric#key()}.
 * @param stepMs  width of each step.
 * @param startMs start of each step, epoch ms.
 * @param values  the metric in each step.
 */
public record Series(String metric, long stepMs, long[] startMs, double[] values) {
    /** @return the number of points. */
    public int size() {
        return startMs.length;
    }
}
