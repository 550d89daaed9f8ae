package dev.ringmeter.core.watch;

import dev.ringmeter.core.query.Subject;

/**
 * What alert rules of the kind "anomaly on metric X" read: the anomaly under way, if any, on a subject's metric.
 * <p>
 * Threading: implementations answer from any thread without blocking the thread that finds anomalies.
 */
public interface AnomalyView {
    /**
     * @param subject whose metric.
     * @param metric  the metric's key ({@link dev.ringmeter.core.query.Metric#key()}).
     * @return the anomaly under way on it, or null if none.
     */
    Anomaly open(Subject subject, String metric);
}
