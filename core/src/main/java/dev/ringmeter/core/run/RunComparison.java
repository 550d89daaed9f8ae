package dev.ringmeter.core.run;

import dev.ringmeter.core.decide.Comparison;

import java.util.List;
import java.util.Map;

/**
 * Runs side by side: their summaries, and for each run after the first, whether it differs from the first (the
 * baseline) on P95 latency, error rate, success rate and each quality score's mean both have, by
 * {@link dev.ringmeter.core.decide.Significance}.
 * <p>
 * Threading: immutable; any thread.
 *
 * @param runs     the runs in the order asked, the first the baseline.
 * @param verdicts by run id (every run but the first): by metric ({@code latencyP95Ms}, {@code errorRate},
 *                 {@code successRate}, {@code quality.<name>}), the comparison of that run (b) against the
 *                 baseline (a).
 */
public record RunComparison(List<RunSummary> runs, Map<String, Map<String, Comparison>> verdicts) {
    /** The fewest runs compared. */
    public static final int MIN_RUNS = 2;
    /** The most runs compared. */
    public static final int MAX_RUNS = 10;
}
