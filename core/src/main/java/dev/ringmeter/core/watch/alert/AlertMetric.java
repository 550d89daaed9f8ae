package dev.ringmeter.core.watch.alert;

import dev.ringmeter.core.query.Metric;
import dev.ringmeter.core.query.WindowStats;

import java.util.Objects;

/**
 * What an alert rule compares with its thresholds, parsed from the metric vocabulary of the queries: a
 * {@link Metric} key ({@code p95}, {@code error_rate} ...), {@code quality:NAME} (the mean of a quality score), or
 * {@code anomaly:KEY} (the score, in robust standard deviations, of the anomaly under way on the scope's metric KEY,
 * as the {@link dev.ringmeter.core.watch.AnomalyView} reports it).
 * <p>
 * Threading: an immutable value; any thread.
 *
 * @param text    as written.
 * @param metric  the metric (for anomaly rules, the metric watched for anomalies); null for a quality mean.
 * @param quality the quality score's name, or null.
 * @param anomaly whether it is an anomaly rule.
 */
public record AlertMetric(String text, Metric metric, String quality, boolean anomaly) {
    /** The prefix of a quality mean. */
    public static final String QUALITY_PREFIX = "quality:";
    /** The prefix of an anomaly rule's metric. */
    public static final String ANOMALY_PREFIX = "anomaly:";

    public AlertMetric {
        Objects.requireNonNull(text, "text");
    }

    /**
     * @param text as in the class comment.
     * @return the metric.
     * @throws IllegalArgumentException naming the field {@code metric}.
     */
    public static AlertMetric parse(final String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("metric is required");
        }
        try {
            if (text.startsWith(QUALITY_PREFIX)) {
                final String name = text.substring(QUALITY_PREFIX.length());
                if (name.isEmpty() || name.length() > AlertScope.MAX_NAME_LENGTH) {
                    throw new IllegalArgumentException("quality:NAME needs a name of 1 to "
                        + AlertScope.MAX_NAME_LENGTH + " chars");
                }
                return new AlertMetric(text, null, name, false);
            }
            if (text.startsWith(ANOMALY_PREFIX)) {
                return new AlertMetric(text, Metric.parse(text.substring(ANOMALY_PREFIX.length())), null, true);
            }
            return new AlertMetric(text, Metric.parse(text), null, false);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("metric: " + e.getMessage() + " (or quality:NAME, anomaly:KEY)");
        }
    }

    /**
     * @param stats a window of the rule's scope.
     * @return this metric's value in it (not for anomaly rules).
     */
    public double of(final WindowStats stats) {
        return quality != null ? stats.qualityMean(quality) : metric.of(stats);
    }
}
