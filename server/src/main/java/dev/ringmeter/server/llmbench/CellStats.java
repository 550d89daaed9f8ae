package dev.ringmeter.server.llmbench;

import org.HdrHistogram.Histogram;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One cell's measured figures, accumulated as requests end. Guarded by its own monitor: {@link #add} from the
 * benchmark's results thread, {@link #result} from its driver thread. Memory: six histograms from 1 us to an hour
 * (ns, 3 significant digits), error types up to {@link #MAX_ERROR_TYPES} (the rest as "other"), quality names up to
 * 4 (an event's most).
 */
final class CellStats {
    /** Most error types kept apart. */
    static final int MAX_ERROR_TYPES = 32;
    private static final long LOWEST_NS = 1_000;
    private static final long HIGHEST_NS = 3_600_000_000_000L;

    private final Histogram ttft = histogram();
    private final Histogram itl = histogram();
    private final Histogram tpot = histogram();
    private final Histogram e2e = histogram();
    private final Histogram lag = histogram();
    /** Output tokens/s of each request, in thousandths. */
    private final Histogram outputRate = new Histogram(1, 100_000_000_000L, 3);
    private final Map<String, Long> errors = new LinkedHashMap<>();
    private final Map<String, double[]> quality = new HashMap<>();
    private long requests;
    private long succeeded;
    private long failed;
    private long timedOut;
    private long good;
    private long outputTokens;
    private long promptTokensSum;
    private long promptTokensCount;
    private long outputTokensCount;
    private long firstSendNs = Long.MAX_VALUE;
    private long lastEndNs = Long.MIN_VALUE;
    private long sinkDropped;
    private final boolean open;

    /** @param open whether requests are sent on a schedule (their lag behind it is recorded). */
    CellStats(final boolean open) {
        this.open = open;
    }

    private static Histogram histogram() {
        return new Histogram(LOWEST_NS, HIGHEST_NS, 3);
    }

    private static void record(final Histogram h, final long valueNs) {
        // values below 1 us count as 1 us
        h.recordValue(Math.max(LOWEST_NS, Math.min(HIGHEST_NS, valueNs)));
    }

    synchronized void add(final SseCall call, final RequestOutcome o, final boolean meetsSlo,
                          final Map<String, Double> scores) {
        requests++;
        firstSendNs = Math.min(firstSendNs, call.baseNs);
        lastEndNs = Math.max(lastEndNs, call.endNs);
        if (open) {
            record(lag, o.scheduleLagNs());
        }
        if (!o.ok()) {
            if (o.status() == dev.ringmeter.Status.TIMEOUT) {
                timedOut++;
            } else {
                failed++;
            }
            final String type = errors.size() < MAX_ERROR_TYPES || errors.containsKey(o.errorType()) ? o.errorType()
                : "other";
            errors.merge(type, 1L, Long::sum);
            return;
        }
        succeeded++;
        if (meetsSlo) {
            good++;
        }
        record(e2e, o.e2eNs());
        if (o.ttftNs() >= 0) {
            record(ttft, o.ttftNs());
        }
        if (o.tpotNs() >= 0) {
            record(tpot, o.tpotNs());
        }
        call.itl(itl, LOWEST_NS, HIGHEST_NS);
        final long tokens = o.completionTokens() >= 0 ? o.completionTokens() : o.contentChunks();
        outputTokens += tokens;
        if (o.completionTokens() >= 0) {
            outputTokensCount++;
        }
        if (o.e2eNs() > 0 && tokens > 0) {
            outputRate.recordValue(Math.max(1, Math.min(100_000_000_000L, Math.round(tokens * 1e12 / o.e2eNs()))));
        }
        if (o.promptTokens() >= 0) {
            promptTokensSum += o.promptTokens();
            promptTokensCount++;
        }
        for (final Map.Entry<String, Double> s : scores.entrySet()) {
            final double[] sum = quality.computeIfAbsent(s.getKey(), k -> new double[2]);
            sum[0] += s.getValue();
            sum[1]++;
        }
    }

    synchronized void dropped() {
        sinkDropped++;
    }

    synchronized long failures() {
        return failed + timedOut;
    }

    synchronized BenchmarkResult.CellResult result(final BenchmarkCell cell, final String runId,
                                                   final String stoppedBy, final BenchmarkSpec.Slo slo) {
        final double windowSec = requests == 0 ? 0 : Math.max(1, lastEndNs - firstSendNs) / 1e9;
        final Map<String, Double> means = new HashMap<>();
        quality.forEach((k, v) -> means.put(k, v[0] / v[1]));
        final double attainment = requests == 0 ? 1 : (double)good / requests;
        return new BenchmarkResult.CellResult(cell, runId, stoppedBy, requests, succeeded, failed, timedOut, errors,
            BenchmarkResult.Percentiles.of(ttft, 1e-6), BenchmarkResult.Percentiles.of(itl, 1e-6),
            BenchmarkResult.Percentiles.of(tpot, 1e-6), BenchmarkResult.Percentiles.of(e2e, 1e-6),
            BenchmarkResult.Percentiles.of(lag, 1e-6), BenchmarkResult.Percentiles.of(outputRate, 1e-3),
            windowSec == 0 ? 0 : outputTokens / windowSec, windowSec == 0 ? 0 : requests / windowSec,
            Math.round(windowSec * 1e3), good, windowSec == 0 ? 0 : good / windowSec, attainment,
            requests > 0 && attainment >= slo.attainment(),
            promptTokensCount == 0 ? 0 : (double)promptTokensSum / promptTokensCount,
            outputTokensCount == 0 ? 0 : (double)outputTokens / Math.max(1, succeeded), means, sinkDropped,
            ttft, itl, tpot, e2e);
    }
}
