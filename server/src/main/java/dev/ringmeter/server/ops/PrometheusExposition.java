package dev.ringmeter.server.ops;

import dev.ringmeter.Status;
import dev.ringmeter.core.StoreStats;
import dev.ringmeter.core.aggregate.CallTotals;
import dev.ringmeter.core.aggregate.FixedBucketHistogram;
import dev.ringmeter.core.query.Subject;
import dev.ringmeter.server.ingest.IngestGate;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

/**
 * Writes the Prometheus text exposition format, version 0.0.4 ({@link OpenMetricsText} turns it into OpenMetrics): the
 * store's totals per model since it was created ({@link CallTotals}, kept by the store's aggregates and its snapshot)
 * as histograms and counters named after the OpenTelemetry GenAI semantic conventions where they exist (labels {@code
 * gen_ai_request_model} and, once a call of the model named them, {@code gen_ai_operation_name} and {@code
 * gen_ai_provider_name}: {@link #modelLabels}), the totals per pipeline, pipeline step, tool and agent in families of
 * their own ({@code ringmeter_pipeline_...} with label {@code pipeline}, {@code ringmeter_step_...} with {@code
 * pipeline} and {@code step}, {@code ringmeter_tool_...} with {@code gen_ai_tool_name}, {@code ringmeter_agent_...}
 * with {@code gen_ai_agent_name}), the sum and count of each quality score per model and per subject, and the store's
 * own counters.
 * <p>
 * Threading: stateless; any thread.
 */
final class PrometheusExposition {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String MODEL = "gen_ai_request_model";
    static final String OPERATION = "gen_ai_operation_name";
    static final String PROVIDER = "gen_ai_provider_name";

    private PrometheusExposition() {
    }

    /**
     * @param totals      per-model totals since the store was created, in model name order.
     * @param stats       the store's counters, or null when it is not open.
     * @param gate        the write-request permits.
     * @param startTimeMs when the server started.
     * @return the exposition.
     */
    static String write(final SortedMap<String, CallTotals> totals, final StoreStats stats,
                        final IngestGate gate, final long startTimeMs) {
        return write(totals, Collections.emptyMap(), stats, gate, startTimeMs);
    }

    /**
     * @param totals      per-model totals since the store was created, in model name order.
     * @param subjects    per kind of subject other than the model, each subject's totals, in label order.
     * @param stats       the store's counters, or null when it is not open.
     * @param gate        the write-request permits.
     * @param startTimeMs when the server started.
     * @return the exposition.
     */
    static String write(final SortedMap<String, CallTotals> totals,
                        final Map<Subject.Kind, SortedMap<Subject, CallTotals>> subjects, final StoreStats stats,
                        final IngestGate gate, final long startTimeMs) {
        int n = totals.size();
        for (final SortedMap<Subject, CallTotals> m : subjects.values()) {
            n += m.size();
        }
        final StringBuilder b = new StringBuilder(4096 + n * 4096);

        family(b, "gen_ai_client_operation_duration_seconds", "histogram",
            "Duration of the model calls recorded since the store was created.");
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            histogram(b, "gen_ai_client_operation_duration_seconds", modelLabels(e.getKey(), e.getValue()),
                e.getValue().durationSeconds());
        }
        family(b, "gen_ai_server_time_to_first_token_seconds", "histogram",
            "Time to first token of the model calls that reported it, since the store was created.");
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            histogram(b, "gen_ai_server_time_to_first_token_seconds", modelLabels(e.getKey(), e.getValue()),
                e.getValue().timeToFirstTokenSeconds());
        }
        family(b, "gen_ai_client_operation_time_to_first_chunk_seconds", "histogram",
            "Time to the first chunk of the response as the client measured it, of the model calls that reported one.");
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            histogram(b, "gen_ai_client_operation_time_to_first_chunk_seconds", modelLabels(e.getKey(), e.getValue()),
                e.getValue().timeToFirstTokenSeconds());
        }
        family(b, "gen_ai_server_time_per_output_token_seconds", "histogram",
            "Time per output token after the first, (duration - time to first token) / (output tokens - 1), of the "
                + "model calls that reported a time to first token and at least 2 output tokens.");
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            histogram(b, "gen_ai_server_time_per_output_token_seconds", modelLabels(e.getKey(), e.getValue()),
                e.getValue().timePerOutputTokenSeconds());
        }
        family(b, "gen_ai_client_token_usage", "histogram",
            "Tokens per model call by type (input or output), since the store was created.");
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            final String model = modelLabels(e.getKey(), e.getValue());
            histogram(b, "gen_ai_client_token_usage", model + ",gen_ai_token_type=\"input\"",
                e.getValue().inputTokens());
            histogram(b, "gen_ai_client_token_usage", model + ",gen_ai_token_type=\"output\"",
                e.getValue().outputTokens());
        }
        family(b, "ringmeter_requests_total", "counter",
            "Model calls recorded since the store was created, by status.");
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            for (final Status s : Status.values()) {
                sample(b, "ringmeter_requests_total", modelLabels(e.getKey(), e.getValue()) + ",status=\""
                    + s.name().toLowerCase(Locale.ROOT) + '"', e.getValue().requests(s));
            }
        }
        family(b, "ringmeter_errors_total", "counter", "Model calls that reported an error type, by error type.");
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            for (final Map.Entry<String, Long> t : e.getValue().errorsByType().entrySet()) {
                sample(b, "ringmeter_errors_total", modelLabels(e.getKey(), e.getValue()) + ','
                    + label("error_type", t.getKey()), t.getValue().longValue());
            }
        }
        family(b, "ringmeter_tokens_total", "counter", "Tokens of the model calls, by type (input or output).");
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            final String model = modelLabels(e.getKey(), e.getValue());
            sample(b, "ringmeter_tokens_total", model + ",gen_ai_token_type=\"input\"",
                e.getValue().inputTokens().sum());
            sample(b, "ringmeter_tokens_total", model + ",gen_ai_token_type=\"output\"",
                e.getValue().outputTokens().sum());
        }
        family(b, "ringmeter_cost_usd_total", "counter",
            "Cost in USD of the model calls that carried one or could be priced from the price table.");
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            sample(b, "ringmeter_cost_usd_total", modelLabels(e.getKey(), e.getValue()), e.getValue().costUsd());
        }
        family(b, "ringmeter_retries_total", "counter", "Retries reported by the model calls.");
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            sample(b, "ringmeter_retries_total", modelLabels(e.getKey(), e.getValue()), e.getValue().retries());
        }
        family(b, "ringmeter_cache_lookups_total", "counter", "Model calls that said whether a cache served them.");
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            sample(b, "ringmeter_cache_lookups_total", modelLabels(e.getKey(), e.getValue()) + ",result=\"hit\"",
                e.getValue().cacheHits());
            sample(b, "ringmeter_cache_lookups_total", modelLabels(e.getKey(), e.getValue()) + ",result=\"miss\"",
                e.getValue().cacheMisses());
        }
        family(b, "ringmeter_quality_score", "summary",
            "Quality scores the model calls carried, by score name: sum and count, so a rate of each gives the mean.");
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            quality(b, "ringmeter_quality_score", modelLabels(e.getKey(), e.getValue()), e.getValue());
        }
        for (final Map.Entry<Subject.Kind, SortedMap<Subject, CallTotals>> k : subjects.entrySet()) {
            subjectFamilies(b, k.getKey(), k.getValue());
        }

        family(b, "ringmeter_server_start_time_seconds", "gauge", "When the server started, seconds since the epoch.");
        sample(b, "ringmeter_server_start_time_seconds", null, startTimeMs / 1000.0);
        single(b, "ringmeter_server_writes_in_flight", "gauge", "Write requests being served.", gate.inFlight());
        single(b, "ringmeter_server_writes_rejected_total", "counter", "Write requests refused with 429.",
            gate.rejected());
        single(b, "ringmeter_server_bodies_reading", "gauge", "Write request bodies being read, holding no permit.",
            gate.bodiesReading());
        single(b, "ringmeter_server_body_timeouts_total", "counter",
            "Write requests refused with 408: the body did not arrive within --body-timeout-ms.", gate.bodyTimeouts());
        single(b, "ringmeter_otlp_spans_ignored_total", "counter",
            "Spans received over OTLP that were not GenAI spans, and so were left out.", gate.spansIgnored());
        single(b, "ringmeter_store_up", "gauge", "1 when the store is open and serving.", stats == null ? 0 : 1);
        if (stats != null) {
            single(b, "ringmeter_store_published_total", "counter", "Slots published to the ingestion ring.",
                stats.published());
            single(b, "ringmeter_store_dropped_total", "counter",
                "Events and samples dropped on a full ring, at once (DROP) or after the block timeout (BLOCK).",
                stats.dropped());
            single(b, "ringmeter_store_aggregated_events_total", "counter", "Events applied to the aggregates.",
                stats.aggregatedEvents());
            single(b, "ringmeter_store_sampled_out_total", "counter",
                "Events counted by the aggregates but left out of the journal under --sampling.", stats.sampledOut());
            single(b, "ringmeter_store_aggregated_samples_total", "counter",
                "Custom metric samples applied to the aggregates.", stats.aggregatedSamples());
            single(b, "ringmeter_store_expired_total", "counter",
                "Events and samples older than the aggregates' retention when they arrived.", stats.expired());
            single(b, "ringmeter_store_late_events_total", "counter",
                "Events and samples behind their newest 1-second bucket: the slower late path.", stats.lateEvents());
            single(b, "ringmeter_store_held_events_total", "counter",
                "Events and samples ahead of the store clock's second, held until it gets there.", stats.heldEvents());
            single(b, "ringmeter_store_ring_capacity", "gauge", "Slots of the ingestion ring.", stats.ringCapacity());
            single(b, "ringmeter_store_ring_occupied", "gauge", "Slots published but not yet consumed.",
                stats.ringOccupied());
            single(b, "ringmeter_store_models", "gauge", "Distinct models known to the store.", stats.models());
            single(b, "ringmeter_store_aggregate_heap_bytes", "gauge", "Estimated heap held by the aggregates.",
                stats.aggregateHeapBytes());
            single(b, "ringmeter_store_snapshots_skipped_total", "counter",
                "Snapshots skipped because the previous one was still being written.", stats.snapshotsSkipped());
            family(b, "ringmeter_store_snapshot_capture_seconds", "gauge",
                "Time the aggregate thread spent capturing the latest snapshot.");
            sample(b, "ringmeter_store_snapshot_capture_seconds", null, stats.snapshotCaptureNs() / 1e9);
        }
        return b.toString();
    }

    /**
     * The families of one kind of subject other than the model, each named {@code ringmeter_<kind>_...} and labelled
     * with the subject's own labels ({@link #subjectLabels}): events by status, their duration, tokens, cost and
     * quality scores since the store was created.
     */
    private static void subjectFamilies(final StringBuilder b, final Subject.Kind kind,
                                        final SortedMap<Subject, CallTotals> totals) {
        final String what = kind == Subject.Kind.STEP ? "pipeline step" : kind.field();
        final String prefix = "ringmeter_" + kind.field() + '_';
        family(b, prefix + "duration_seconds", "histogram", "Duration of the events of each " + what
            + " (model calls or not) since the store was created.");
        for (final Map.Entry<Subject, CallTotals> e : totals.entrySet()) {
            histogram(b, prefix + "duration_seconds", subjectLabels(e.getKey()), e.getValue().durationSeconds());
        }
        family(b, prefix + "requests_total", "counter", "Events of each " + what + ", by status.");
        for (final Map.Entry<Subject, CallTotals> e : totals.entrySet()) {
            for (final Status st : Status.values()) {
                sample(b, prefix + "requests_total", subjectLabels(e.getKey()) + ",status=\""
                    + st.name().toLowerCase(Locale.ROOT) + '"', e.getValue().requests(st));
            }
        }
        family(b, prefix + "tokens_total", "counter", "Tokens of the events of each " + what
            + ", by type (input or output).");
        for (final Map.Entry<Subject, CallTotals> e : totals.entrySet()) {
            final String labels = subjectLabels(e.getKey());
            sample(b, prefix + "tokens_total", labels + ",gen_ai_token_type=\"input\"",
                e.getValue().inputTokens().sum());
            sample(b, prefix + "tokens_total", labels + ",gen_ai_token_type=\"output\"",
                e.getValue().outputTokens().sum());
        }
        family(b, prefix + "cost_usd_total", "counter", "Cost in USD of the events of each " + what
            + " that carried one or could be priced.");
        for (final Map.Entry<Subject, CallTotals> e : totals.entrySet()) {
            sample(b, prefix + "cost_usd_total", subjectLabels(e.getKey()), e.getValue().costUsd());
        }
        family(b, prefix + "quality_score", "summary", "Quality scores the events of each " + what
            + " carried, by score name: sum and count, so a rate of each gives the mean.");
        for (final Map.Entry<Subject, CallTotals> e : totals.entrySet()) {
            quality(b, prefix + "quality_score", subjectLabels(e.getKey()), e.getValue());
        }
    }

    /**
     * @param model  a model's name.
     * @param totals its totals.
     * @return its labels: {@code gen_ai_request_model}, then {@code gen_ai_operation_name} and
     * {@code gen_ai_provider_name} of its latest call that named them, each left out while no call did.
     */
    static String modelLabels(final String model, final CallTotals totals) {
        String labels = label(MODEL, model);
        if (totals.operation() != null) {
            labels += ',' + label(OPERATION, totals.operation());
        }
        if (totals.provider() != null) {
            labels += ',' + label(PROVIDER, totals.provider());
        }
        return labels;
    }

    /**
     * @return the labels of a subject: {@code pipeline} (with {@code step} for a pipeline step; "" for a step of no
     * pipeline), {@code gen_ai_tool_name} or {@code gen_ai_agent_name}.
     */
    static String subjectLabels(final Subject subject) {
        switch (subject.kind()) {
            case STEP:
                return label("pipeline", subject.pipeline() == null ? "" : subject.pipeline()) + ','
                    + label("step", subject.name());
            case TOOL:
                return label("gen_ai_tool_name", subject.name());
            case AGENT:
                return label("gen_ai_agent_name", subject.name());
            case PIPELINE:
                return label("pipeline", subject.name());
            default:
                return label(MODEL, subject.name());
        }
    }

    private static void quality(final StringBuilder b, final String name, final String labels, final CallTotals t) {
        for (final Map.Entry<String, CallTotals.QualityTotal> q : t.quality().entrySet()) {
            final String l = labels + ',' + label("score", q.getKey());
            sample(b, name + "_sum", l, q.getValue().sum());
            sample(b, name + "_count", l, q.getValue().count());
        }
    }

    static void family(final StringBuilder b, final String name, final String type, final String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** Writes an unlabelled gauge or counter: its family and its one sample. */
    private static void single(final StringBuilder b, final String name, final String type, final String help,
                               final long value) {
        family(b, name, type, help);
        sample(b, name, null, value);
    }

    private static void histogram(final StringBuilder b, final String name, final String labels,
                                  final FixedBucketHistogram h) {
        for (int i = 0; i < h.boundCount(); i++) {
            b.append(name).append("_bucket{").append(labels).append(",le=\"");
            number(b, h.bound(i));
            b.append("\"} ").append(h.cumulativeCount(i)).append('\n');
        }
        b.append(name).append("_bucket{").append(labels).append(",le=\"+Inf\"} ").append(h.count()).append('\n');
        b.append(name).append("_sum{").append(labels).append("} ");
        number(b, h.sum());
        b.append('\n');
        b.append(name).append("_count{").append(labels).append("} ").append(h.count()).append('\n');
    }

    static void sample(final StringBuilder b, final String name, final String labels, final double value) {
        b.append(name);
        if (labels != null) {
            b.append('{').append(labels).append('}');
        }
        b.append(' ');
        number(b, value);
        b.append('\n');
    }

    private static void sample(final StringBuilder b, final String name, final String labels, final long value) {
        b.append(name);
        if (labels != null) {
            b.append('{').append(labels).append('}');
        }
        b.append(' ').append(value).append('\n');
    }

    private static void number(final StringBuilder b, final double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            b.append(Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");   // the spelling both text formats read
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            b.append((long)v);
        } else {
            b.append(v);
        }
    }

    /** @return {@code name="value"} with the value escaped as the format requires (\\, \", \n). */
    static String label(final String name, final String value) {
        final StringBuilder b = new StringBuilder(name.length() + value.length() + 4);
        b.append(name).append("=\"");
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (c == '\\') {
                b.append("\\\\");
            } else if (c == '"') {
                b.append("\\\"");
            } else if (c == '\n') {
                b.append("\\n");
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
