package dev.ringmeter.core.run;

import org.HdrHistogram.AbstractHistogram;

import java.util.List;
import java.util.Map;

/**
 * What a run holds at one moment: its definition and status, and the figures of the events that carried its id
 * since it was created. Durations are milliseconds, costs USD; a figure that cannot be computed (no events, no
 * expected count) is NaN, or -1 for a count or a time.
 * <p>
 * Threading: immutable once made (its latency histogram is a copy no one changes); any thread.
 *
 * @param id                the run's id.
 * @param name              its name.
 * @param status            where it stands.
 * @param reason            why it finished as it did, or null.
 * @param parameters        its configuration: values are Long, Double, String or Boolean.
 * @param tags              its tags.
 * @param createdAtMs       when it was created, epoch ms (the store's clock).
 * @param updatedAtMs       when it was last created, updated or finished.
 * @param finishedAtMs      when it finished, 0 while running.
 * @param progress          tasks done against the expected count, rates and ETA.
 * @param events            events counted to the run.
 * @param byStatus          events by status (ok, error, timeout, cancelled).
 * @param byErrorType       events by error type (the first {@value RunState#MAX_ERROR_TYPES} types).
 * @param otherErrorTypes   events of further error types.
 * @param latency           latency of the run's calls and steps (its events that are not tasks).
 * @param tokens            token sums of its events.
 * @param cost              cost of its events.
 * @param retries           retries of all its events.
 * @param tasks             task outcomes.
 * @param quality           quality scores by name: count, mean and standard deviation.
 * @param steps             time per step (the first {@value RunState#MAX_STEPS} steps).
 * @param otherStepEvents   events of further steps.
 * @param latencyHistogramUs the run's calls' latencies in microseconds, for comparisons; null in a list.
 */
public record RunSummary(String id, String name, RunStatus status, String reason, Map<String, Object> parameters,
                         List<String> tags, long createdAtMs, long updatedAtMs, long finishedAtMs, Progress progress,
                         long events, Map<String, Long> byStatus, Map<String, Long> byErrorType, long otherErrorTypes,
                         Latency latency, Tokens tokens, Cost cost, long retries, Tasks tasks,
                         Map<String, Quality> quality, Map<String, Step> steps, long otherStepEvents,
                         AbstractHistogram latencyHistogramUs) {
    public RunSummary {
        parameters = parameters == null ? Map.of() : parameters;
        tags = tags == null ? List.of() : tags;
    }

    /**
     * @param done                    tasks done (distinct task ids, see {@link RunState}).
     * @param expected                tasks expected, -1 if not given.
     * @param fraction                done / expected (at most 1), NaN without an expected count.
     * @param tasksPerSecondLastMinute tasks done in the last minute / 60 (by their events' times); NaN once finished.
     * @param tasksPerSecondOverall   tasks done / the time from creation to now (or to the finish).
     * @param etaMs                   the time left to the expected count at the last minute's rate (the overall
     *                                rate if none in the last minute), -1 if unknown or finished.
     */
    public record Progress(long done, long expected, double fraction, double tasksPerSecondLastMinute,
                           double tasksPerSecondOverall, long etaMs) {
    }

    /**
     * @param count  calls and steps with a latency.
     * @param meanMs exact mean.
     * @param p50Ms  from the histogram, as P90, P95 and P99 (within the store's histogram precision).
     * @param p90Ms  90th percentile.
     * @param p95Ms  95th percentile.
     * @param p99Ms  99th percentile.
     * @param maxMs  exact maximum.
     */
    public record Latency(long count, double meanMs, double p50Ms, double p90Ms, double p95Ms, double p99Ms,
                          double maxMs) {
    }

    /** Token sums; cached and cache-write are inside prompt, reasoning inside completion. */
    public record Tokens(long prompt, long completion, long cached, long cacheWrite, long reasoning) {
    }

    /**
     * @param usd                 the sum of the known costs.
     * @param unknownEvents       events whose cost is unknown (no price, no cost given): not counted as $0.
     * @param perSuccessfulTaskUsd usd / tasks that succeeded; NaN with none, or while any event's cost is unknown
     *                             (a partial sum divided would understate it, as in a window).
     */
    public record Cost(double usd, long unknownEvents, double perSuccessfulTaskUsd) {
    }

    /**
     * @param done               tasks done.
     * @param succeeded          tasks whose outcome is ok.
     * @param firstTimeRight     tasks that succeeded with no retry.
     * @param firstTimeRightRate firstTimeRight / done, NaN with none.
     * @param debuggingCycles    the tasks' retries / done (retries per task), NaN with none.
     * @param retries            the tasks' retries.
     * @param untracked          tasks past the per-run tracking limit (or without a task id): each counted as a
     *                           new task, even if recorded again.
     */
    public record Tasks(long done, long succeeded, long firstTimeRight, double firstTimeRightRate,
                        double debuggingCycles, long retries, long untracked) {
    }

    /** A quality score's count, mean and sample standard deviation. */
    public record Quality(long count, double mean, double stdDev) {
    }

    /** A step's count, mean and 95th percentile (within 1/16: a one-digit histogram). */
    public record Step(long count, double meanMs, double p95Ms) {
    }
}
