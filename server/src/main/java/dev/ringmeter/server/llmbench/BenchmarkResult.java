package dev.ringmeter.server.llmbench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;

/**
 * What a benchmark measured: its status and, per cell, counts, errors by type, latency distributions, throughput,
 * goodput and quality; for each sweep, its load curve and the highest load still meeting the SLOs. Immutable (the
 * histograms are copies handed out as copies). Memory: four histograms of 1 us to an hour at 3 digits per cell
 * (about 4 x 40 KB), at most {@link BenchmarkSpec#MAX_CELLS} cells.
 *
 * @param id         the benchmark's id.
 * @param name       its spec's name.
 * @param status     completed, cancelled or failed.
 * @param reason     why it failed or was cancelled, or null.
 * @param startedMs  when it started (epoch ms).
 * @param elapsedMs  how long it ran.
 * @param cells      each cell run (a sweep stopped at saturation omits its later points).
 * @param sweeps     per target x model x configuration with more than one load point, its load curve.
 */
public record BenchmarkResult(String id, String name, Status status, String reason, long startedMs, long elapsedMs,
                              List<CellResult> cells, List<Sweep> sweeps) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Copies the lists. */
    public BenchmarkResult {
        cells = List.copyOf(cells);
        sweeps = List.copyOf(sweeps);
    }

    /** A benchmark's status. */
    public enum Status {
        /** Still running (progress only). */
        RUNNING("running"),
        /** Every cell ran to its stop condition. */
        COMPLETED("completed"),
        /** Cancelled: what was measured is kept. */
        CANCELLED("cancelled"),
        /** Could not go on (reason says why). */
        FAILED("failed");

        private final String wireName;

        Status(final String wireName) {
            this.wireName = wireName;
        }

        /** @return its name in JSON. */
        public String wireName() {
            return wireName;
        }
    }

    /**
     * Percentiles of a distribution, in milliseconds (or the unit the field says).
     *
     * @param count how many values.
     * @param p50   median.
     * @param p90   90th percentile.
     * @param p95   95th percentile.
     * @param p99   99th percentile.
     * @param p999  99.9th percentile.
     * @param mean  mean.
     * @param max   largest.
     */
    public record Percentiles(long count, double p50, double p90, double p95, double p99, double p999, double mean,
                              double max) {
        /** No values. */
        public static final Percentiles EMPTY = new Percentiles(0, 0, 0, 0, 0, 0, 0, 0);

        /**
         * @param h     a histogram.
         * @param scale what one of its units is in the output unit (1e-6 for ns to ms).
         * @return its percentiles.
         */
        public static Percentiles of(final Histogram h, final double scale) {
            if (h.getTotalCount() == 0) {
                return EMPTY;
            }
            return new Percentiles(h.getTotalCount(), h.getValueAtPercentile(50) * scale,
                h.getValueAtPercentile(90) * scale, h.getValueAtPercentile(95) * scale,
                h.getValueAtPercentile(99) * scale, h.getValueAtPercentile(99.9) * scale, h.getMean() * scale,
                h.getMaxValue() * scale);
        }

        ObjectNode toJson() {
            return JSON.createObjectNode().put("count", count).put("p50", p50).put("p90", p90).put("p95", p95)
                .put("p99", p99).put("p99_9", p999).put("mean", mean).put("max", max);
        }
    }

    /**
     * One cell's results, measured requests only (warm-up and cool-down excluded).
     *
     * @param cell              the cell.
     * @param runId             its run in the sink.
     * @param stoppedBy         what ended its measuring: "work", "duration", "requests", "errors", "saturation",
     *                          "cancelled" or "failed".
     * @param requests          measured requests ended.
     * @param succeeded         of which succeeded.
     * @param failed            of which failed (HTTP, stream or connection errors).
     * @param timedOut          of which timed out.
     * @param errorsByType      failures by type (e.g. http_429, http_500, stream_error, incomplete_stream, timeout).
     * @param ttft              TTFT of the successful requests, ms.
     * @param itl               inter-token latency, ms (one value per output token after the first).
     * @param tpot              time per output token of the successful requests with two tokens or more, ms.
     * @param e2e               end-to-end latency of the successful requests, ms.
     * @param scheduleLag       open loop: how late each request was sent after its scheduled time, ms.
     * @param outputTokensPerSecPerRequest output tokens / e2e of each successful request, tokens/s.
     * @param outputTokensPerSec all output tokens / measuring time, tokens/s.
     * @param requestsPerSec    measured requests ended / measuring time.
     * @param measuringMs       from the first measured send to the last measured end.
     * @param goodRequests      successful requests meeting every SLO (all successful ones without SLOs).
     * @param goodputPerSec     good requests / measuring time.
     * @param sloAttainment     good requests / measured requests (1 if none).
     * @param meetsSlo          whether the attainment reaches the spec's.
     * @param promptTokensMean  mean prompt_tokens from the server's usage (beside a synthetic target).
     * @param outputTokensMean  mean completion_tokens from usage.
     * @param quality           per score name (match_exact, match_contains, match_regex, match_f1), the mean.
     * @param sinkDropped       events the sink refused.
     * @param ttftHistogramNs   TTFT, ns.
     * @param itlHistogramNs    ITL, ns.
     * @param tpotHistogramNs   TPOT, ns.
     * @param e2eHistogramNs    end-to-end, ns.
     */
    public record CellResult(BenchmarkCell cell, String runId, String stoppedBy, long requests, long succeeded,
                             long failed, long timedOut, Map<String, Long> errorsByType, Percentiles ttft,
                             Percentiles itl, Percentiles tpot, Percentiles e2e, Percentiles scheduleLag,
                             Percentiles outputTokensPerSecPerRequest, double outputTokensPerSec,
                             double requestsPerSec, long measuringMs, long goodRequests, double goodputPerSec,
                             double sloAttainment, boolean meetsSlo, double promptTokensMean,
                             double outputTokensMean, Map<String, Double> quality, long sinkDropped,
                             Histogram ttftHistogramNs, Histogram itlHistogramNs, Histogram tpotHistogramNs,
                             Histogram e2eHistogramNs) {
        /** Copies the maps and histograms. */
        public CellResult {
            errorsByType = Map.copyOf(errorsByType);
            quality = Map.copyOf(quality);
            ttftHistogramNs = ttftHistogramNs.copy();
            itlHistogramNs = itlHistogramNs.copy();
            tpotHistogramNs = tpotHistogramNs.copy();
            e2eHistogramNs = e2eHistogramNs.copy();
        }

        /** @return a copy of the TTFT histogram (ns). */
        @Override
        public Histogram ttftHistogramNs() {
            return ttftHistogramNs.copy();
        }

        /** @return a copy of the ITL histogram (ns). */
        @Override
        public Histogram itlHistogramNs() {
            return itlHistogramNs.copy();
        }

        /** @return a copy of the TPOT histogram (ns). */
        @Override
        public Histogram tpotHistogramNs() {
            return tpotHistogramNs.copy();
        }

        /** @return a copy of the end-to-end histogram (ns). */
        @Override
        public Histogram e2eHistogramNs() {
            return e2eHistogramNs.copy();
        }

        ObjectNode toJson() {
            final ObjectNode o = JSON.createObjectNode();
            o.put("index", cell.index()).put("label", cell.label()).put("runId", runId);
            o.set("parameters", JSON.valueToTree(cell.parameters()));
            o.put("stoppedBy", stoppedBy).put("requests", requests).put("succeeded", succeeded)
                .put("failed", failed).put("timedOut", timedOut);
            o.set("errorsByType", JSON.valueToTree(errorsByType));
            o.set("ttftMs", ttft.toJson());
            o.set("itlMs", itl.toJson());
            o.set("tpotMs", tpot.toJson());
            o.set("e2eMs", e2e.toJson());
            o.set("scheduleLagMs", scheduleLag.toJson());
            o.set("outputTokensPerSecPerRequest", outputTokensPerSecPerRequest.toJson());
            o.put("outputTokensPerSec", outputTokensPerSec).put("requestsPerSec", requestsPerSec)
                .put("measuringMs", measuringMs).put("goodRequests", goodRequests).put("goodputPerSec", goodputPerSec)
                .put("sloAttainment", sloAttainment).put("meetsSlo", meetsSlo)
                .put("promptTokensMean", promptTokensMean).put("outputTokensMean", outputTokensMean);
            o.set("quality", JSON.valueToTree(quality));
            o.put("sinkDropped", sinkDropped);
            return o;
        }
    }

    /**
     * One point of a load curve.
     *
     * @param point             the concurrency or rate asked.
     * @param requestsPerSec    achieved.
     * @param outputTokensPerSec achieved.
     * @param goodputPerSec     good requests/s.
     * @param ttftP50Ms         median TTFT.
     * @param tpotP50Ms         median TPOT.
     * @param e2eP99Ms          99th percentile end-to-end.
     * @param meetsSlo          whether it meets the SLOs.
     */
    public record LoadPoint(double point, double requestsPerSec, double outputTokensPerSec, double goodputPerSec,
                            double ttftP50Ms, double tpotP50Ms, double e2eP99Ms, boolean meetsSlo) {
    }

    /**
     * A sweep's load curve for one target x model x configuration.
     *
     * @param target                 the target's name.
     * @param model                  the model.
     * @param configuration          the configuration's name.
     * @param mode                   closed, constant or poisson.
     * @param curve                  one point per load point run, in the spec's order.
     * @param bestPoint              the highest concurrency or rate meeting the SLOs, or 0 if none does.
     * @param bestRequestsPerSec     the highest achieved requests/s among the points meeting the SLOs, or 0.
     * @param bestOutputTokensPerSec the highest output tokens/s among them, or 0.
     */
    public record Sweep(String target, String model, String configuration, BenchmarkSpec.LoadMode mode,
                        List<LoadPoint> curve, double bestPoint, double bestRequestsPerSec,
                        double bestOutputTokensPerSec) {
        /** Copies the curve. */
        public Sweep {
            curve = List.copyOf(curve);
        }
    }

    /** @return its JSON form (no histograms: their percentiles). */
    public String toJson() {
        final ObjectNode o = JSON.createObjectNode();
        o.put("id", id).put("name", name).put("status", status.wireName());
        if (reason != null) {
            o.put("reason", reason);
        }
        o.put("startedMs", startedMs).put("elapsedMs", elapsedMs);
        final ArrayNode cs = o.putArray("cells");
        cells.forEach(c -> cs.add(c.toJson()));
        final ArrayNode ss = o.putArray("sweeps");
        for (final Sweep s : sweeps) {
            final ObjectNode n = ss.addObject().put("target", s.target()).put("model", s.model())
                .put("configuration", s.configuration()).put("mode", s.mode().wireName());
            final ArrayNode curve = n.putArray("curve");
            for (final LoadPoint p : s.curve()) {
                curve.addObject().put("point", p.point()).put("requestsPerSec", p.requestsPerSec())
                    .put("outputTokensPerSec", p.outputTokensPerSec()).put("goodputPerSec", p.goodputPerSec())
                    .put("ttftP50Ms", p.ttftP50Ms()).put("tpotP50Ms", p.tpotP50Ms()).put("e2eP99Ms", p.e2eP99Ms())
                    .put("meetsSlo", p.meetsSlo());
            }
            n.put("bestPoint", s.bestPoint()).put("bestRequestsPerSec", s.bestRequestsPerSec())
                .put("bestOutputTokensPerSec", s.bestOutputTokensPerSec());
        }
        return o.toString();
    }
}
