package dev.ringmeter.core.watch;

import dev.ringmeter.core.query.Subject;

import java.util.Objects;

/**
 * One anomaly the store found: a metric of a subject out of its robust baseline, from its start to its end.
 * <p>
 * Threading: an immutable value; any thread.
 *
 * @param id        the store's id of the anomaly, increasing in the order anomalies start.
 * @param subject   whose metric it is.
 * @param metric    the metric's key ({@link dev.ringmeter.core.query.Metric#key()}).
 * @param kind      a spike or a shift.
 * @param startMs   the start of its first minute, epoch ms.
 * @param endMs     the start of the first minute back within bounds, epoch ms; 0 while it lasts.
 * @param expected  the baseline's median when it started.
 * @param observed  the worst value seen in it.
 * @param score     the worst score seen in it, in robust standard deviations.
 */
public record Anomaly(long id, Subject subject, String metric, AnomalyDetector.Kind kind, long startMs, long endMs,
                      double expected, double observed, double score) {
    public Anomaly {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(kind, "kind");
    }

    /** @return whether it is still under way. */
    public boolean open() {
        return endMs == 0;
    }
}
