package dev.ringmeter.core.watch;

import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.decide.Comparison;
import dev.ringmeter.core.decide.Direction;
import dev.ringmeter.core.decide.Significance;
import dev.ringmeter.core.decide.Verdict;
import dev.ringmeter.core.query.WindowStats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The health of one model: its error rate and P95 latency over a recent window against the same over the baseline
 * window just before it, both from the in-memory aggregates, and a {@link Status} with the reason for it. The rules,
 * in order:
 * <ol>
 * <li>{@link Status#FAILING}: every call of the recent window failed (however few), or the recent window has at
 * least {@link Parameters#minCalls()} calls and an error rate of at least {@link Parameters#failingErrorRate()}.</li>
 * <li>{@link Status#UNKNOWN}: either window has fewer than {@link Parameters#minCalls()} calls.</li>
 * <li>{@link Status#DEGRADED}: the recent error rate is significantly worse than the baseline's
 * ({@link Significance#rate}, 95 %), or the recent P95 is at least {@link Parameters#latencyFactor()} times the
 * baseline's.</li>
 * <li>{@link Status#OK} otherwise.</li>
 * </ol>
 * The error rate is errors over calls, as {@link WindowStats#errorRate()} counts them (timeouts and cancellations are
 * not errors). The recent window is [now + 1 − window, now + 1): it includes the current millisecond, as the other
 * "last N minutes" views do. Both are read in whole buckets: the recent window from the edge of the bucket holding its
 * start, and the baseline the given span before that edge, ending on it, so that no call is counted in both.
 * <p>
 * Threading: an immutable value; {@link #of} and {@link #assess} are stateless and any thread may call them (a query
 * path: they allocate their results). Memory: no state kept; a call holds one {@link ModelHealth} per model, which
 * the dictionary's model limit bounds.
 *
 * @param model      the model.
 * @param status     its status.
 * @param reason     why, in words with the figures that decided it.
 * @param recent     the recent window's figures.
 * @param baseline   the baseline window's figures.
 * @param errorRate  the comparison of the error rates, baseline (a) against recent (b).
 * @param p95Ratio   recent P95 over baseline P95; NaN where either window has no calls.
 */
public record ModelHealth(String model, Status status, String reason, Figures recent, Figures baseline,
                          Comparison errorRate, double p95Ratio) {

    /** A model's status. */
    public enum Status {
        /** Neither failing nor degraded, with enough calls to tell. */
        OK,
        /** Significantly more errors, or a P95 slower by the factor, than the baseline. */
        DEGRADED,
        /** An error rate at or above the threshold, or every call failed. */
        FAILING,
        /** Too few calls in either window to tell. */
        UNKNOWN;

        /** @return the lower-case name used in JSON. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One window's figures.
     *
     * @param fromMs    start of the buckets merged, inclusive, epoch ms (at or before the start asked for).
     * @param toMs      end of the buckets merged, exclusive, epoch ms.
     * @param calls     events.
     * @param errors    events with status error.
     * @param errorRate errors / calls, NaN without calls.
     * @param p95Ms     the 95th percentile of latency in ms, NaN without calls.
     */
    public record Figures(long fromMs, long toMs, long calls, long errors, double errorRate, double p95Ms) {
        /** @return the figures of a computed window. */
        public static Figures of(final WindowStats s) {
            return new Figures(s.coveredFromMs(), s.coveredToMs(), s.count(), s.errorCount(), s.errorRate(), s.latencyMs(95));
        }
    }

    /**
     * The thresholds of the rules.
     *
     * @param windowMs         the recent window, at least 1 s.
     * @param baselineMs       the baseline window before it, at least 1 s.
     * @param failingErrorRate the error rate from which a model fails, above 0 and at most 1.
     * @param latencyFactor    recent P95 over baseline P95 from which a model is degraded, above 1.
     * @param minCalls         calls each window needs for a status other than failing on all errors, at least
     *                         {@link Significance#MIN_RATE_TRIALS} so that the error-rate test always has its data.
     */
    public record Parameters(long windowMs, long baselineMs, double failingErrorRate, double latencyFactor,
                             int minCalls) {
        /** The default recent window: 5 minutes. */
        public static final long DEFAULT_WINDOW_MS = 5 * 60_000L;
        /** The default baseline: the hour before the recent window. */
        public static final long DEFAULT_BASELINE_MS = 60 * 60_000L;
        /** The default failing threshold: half the calls in error. */
        public static final double DEFAULT_FAILING_ERROR_RATE = 0.5;
        /** The default latency factor: a P95 half as long again. */
        public static final double DEFAULT_LATENCY_FACTOR = 1.5;
        /** The default minimum calls per window: 20, so that a P95 is above the single slowest call. */
        public static final int DEFAULT_MIN_CALLS = 20;
        /** The largest latency factor accepted. */
        public static final double MAX_LATENCY_FACTOR = 1_000;
        /** The largest minimum of calls accepted. */
        public static final int MAX_MIN_CALLS = 1_000_000;

        /** The defaults. */
        public static final Parameters DEFAULTS = new Parameters(DEFAULT_WINDOW_MS, DEFAULT_BASELINE_MS,
            DEFAULT_FAILING_ERROR_RATE, DEFAULT_LATENCY_FACTOR, DEFAULT_MIN_CALLS);

        /** @throws IllegalArgumentException naming the bad parameter. */
        public Parameters {
            if (windowMs < 1_000) {
                throw new IllegalArgumentException("window must be at least 1 s, got " + windowMs + " ms");
            }
            if (baselineMs < 1_000) {
                throw new IllegalArgumentException("baseline must be at least 1 s, got " + baselineMs + " ms");
            }
            if (!(failingErrorRate > 0 && failingErrorRate <= 1)) {
                throw new IllegalArgumentException("failingErrorRate must be above 0 and at most 1, got "
                    + failingErrorRate);
            }
            if (!(latencyFactor > 1 && latencyFactor <= MAX_LATENCY_FACTOR)) {
                throw new IllegalArgumentException("latencyFactor must be above 1 and at most " + MAX_LATENCY_FACTOR
                    + ", got " + latencyFactor);
            }
            if (minCalls < Significance.MIN_RATE_TRIALS || minCalls > MAX_MIN_CALLS) {
                throw new IllegalArgumentException("minCalls must be " + Significance.MIN_RATE_TRIALS + " to "
                    + MAX_MIN_CALLS + ", got " + minCalls);
            }
        }
    }

    /** @throws NullPointerException for a missing part. */
    public ModelHealth {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(recent, "recent");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(errorRate, "errorRate");
    }

    /**
     * The health of every model the store has seen, in {@link Aggregates#models()}'s order.
     *
     * @param aggregates the in-memory aggregates.
     * @param nowMs      the current time.
     * @param parameters the thresholds.
     * @param scratch    reused for each window (e.g. {@link Aggregates#newWindowStats()}).
     * @return one health per model.
     */
    public static List<ModelHealth> of(final Aggregates aggregates, final long nowMs, final Parameters parameters,
                                       final WindowStats scratch) {
        final long to = nowMs + 1;
        final long split = to - parameters.windowMs();
        final List<String> models = aggregates.models();
        final List<ModelHealth> out = new ArrayList<>(models.size());
        for (final String model : models) {
            final Figures recent = Figures.of(aggregates.window(model, split, to, scratch));
            // the recent window starts on a bucket's edge at or before split: the baseline ends there, so that no
            // bucket is counted in both
            final Figures baseline = Figures.of(aggregates.window(model, recent.fromMs() - parameters.baselineMs(),
                recent.fromMs(), scratch));
            out.add(assess(model, recent, baseline, parameters));
        }
        return out;
    }

    /**
     * Applies the rules (see the class comment) to one model's figures.
     *
     * @param model      the model.
     * @param recent     the recent window.
     * @param baseline   the baseline window.
     * @param parameters the thresholds.
     * @return its health.
     */
    public static ModelHealth assess(final String model, final Figures recent, final Figures baseline,
                                     final Parameters parameters) {
        final Comparison errors = Significance.rate(baseline.errors(), baseline.calls(), recent.errors(),
            recent.calls(), Direction.LOWER_IS_BETTER);
        final double ratio = recent.calls() == 0 || baseline.calls() == 0 ? Double.NaN
            : recent.p95Ms() / baseline.p95Ms();
        final int min = parameters.minCalls();
        final Status status;
        final String reason;
        if (recent.calls() > 0 && recent.errors() == recent.calls()) {
            status = Status.FAILING;
            reason = "every call of the window failed (" + recent.calls() + ")";
        } else if (recent.calls() >= min && recent.errorRate() >= parameters.failingErrorRate()) {
            status = Status.FAILING;
            reason = String.format(Locale.ROOT, "error rate %.1f %% is at or above %.1f %%",
                recent.errorRate() * 100, parameters.failingErrorRate() * 100);
        } else if (recent.calls() < min || baseline.calls() < min) {
            status = Status.UNKNOWN;
            reason = "too few calls: each window needs at least " + min + ", the window has " + recent.calls()
                + " and the baseline " + baseline.calls();
        } else if (errors.verdict() == Verdict.WORSE) {
            status = Status.DEGRADED;
            reason = String.format(Locale.ROOT, "error rate %.1f %% is significantly above the baseline's %.1f %%",
                recent.errorRate() * 100, baseline.errorRate() * 100);
        } else if (ratio >= parameters.latencyFactor()) {
            status = Status.DEGRADED;
            reason = String.format(Locale.ROOT, "P95 %.1f ms is %.2f times the baseline's %.1f ms (limit %.2f)",
                recent.p95Ms(), ratio, baseline.p95Ms(), parameters.latencyFactor());
        } else {
            status = Status.OK;
            reason = String.format(Locale.ROOT, "error rate %.1f %% against %.1f %%, P95 %.2f times the baseline's",
                recent.errorRate() * 100, baseline.errorRate() * 100, ratio);
        }
        return new ModelHealth(model, status, reason, recent, baseline, errors, ratio);
    }
}
