package dev.ringmeter.server.ops;

import dev.ringmeter.Status;
import dev.ringmeter.core.StoreStats;
import dev.ringmeter.core.aggregate.CallTotals;
import dev.ringmeter.core.aggregate.FixedBucketHistogram;
import dev.ringmeter.core.query.Subject;
import dev.ringmeter.server.ingest.IngestGate;

import java.io.IOException;
import java.io.Writer;
import java.util.Arrays;
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
 * Threading: stateless; any thread (each scrape writes through an {@link Out} of its own).
 */
final class PrometheusExposition {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String MODEL = "gen_ai_request_model";
    static final String OPERATION = "gen_ai_operation_name";
    static final String PROVIDER = "gen_ai_provider_name";
    private static final String INPUT = ",gen_ai_token_type=\"input\"";
    private static final String OUTPUT = ",gen_ai_token_type=\"output\"";
    /** The status label of each {@link Status}, by ordinal, after a model's labels. */
    private static final String[] STATUS = new String[Status.values().length];

    static {
        for (final Status s : Status.values()) {
            STATUS[s.ordinal()] = ",status=\"" + s.name().toLowerCase(Locale.ROOT) + '"';
        }
    }

    private PrometheusExposition() {
    }

    /**
     * Writes the exposition to a writer as it is made, a chunk of whole lines at a time ({@link Out#CHUNK}), rather
     * than into one text of megabytes at a thousand models (docs/performance.md, "A Prometheus scrape of /metrics").
     *
     * @param totals      per-model totals since the store was created, in model name order.
     * @param subjects    per kind of subject other than the model, each subject's totals, in label order.
     * @param stats       the store's counters, or null when it is not open.
     * @param gate        the write-request permits.
     * @param startTimeMs when the server started.
     * @param out         where the text goes.
     * @param openMetrics whether to write it as OpenMetrics ({@link OpenMetricsText#write}, without its EOF).
     * @throws IOException if the writer does (the scraper went away).
     */
    static void write(final SortedMap<String, CallTotals> totals,
                      final Map<Subject.Kind, SortedMap<Subject, CallTotals>> subjects, final StoreStats stats,
                      final IngestGate gate, final long startTimeMs, final Writer out, final boolean openMetrics)
        throws IOException {
        final Out o = new Out(out, openMetrics);
        write(totals, subjects, stats, gate, startTimeMs, o);
        o.flush();
    }

    private static void write(final SortedMap<String, CallTotals> totals,
                              final Map<Subject.Kind, SortedMap<Subject, CallTotals>> subjects,
                              final StoreStats stats, final IngestGate gate, final long startTimeMs, final Out o)
        throws IOException {
        // each model's labels made once per scrape, not once per family
        final int n = totals.size();
        final String[] labels = new String[n];
        final CallTotals[] t = new CallTotals[n];
        int at = 0;
        for (final Map.Entry<String, CallTotals> e : totals.entrySet()) {
            labels[at] = modelLabels(e.getKey(), e.getValue());
            t[at++] = e.getValue();
        }

        family(o.b, "gen_ai_client_operation_duration_seconds", "histogram",
            "Duration of the model calls recorded since the store was created.");
        for (int i = 0; i < n; i++) {
            histogram(o, "gen_ai_client_operation_duration_seconds", labels[i], null, t[i].durationSeconds());
        }
        family(o.b, "gen_ai_server_time_to_first_token_seconds", "histogram",
            "Time to first token of the model calls that reported it, since the store was created.");
        for (int i = 0; i < n; i++) {
            histogram(o, "gen_ai_server_time_to_first_token_seconds", labels[i], null,
                t[i].timeToFirstTokenSeconds());
        }
        family(o.b, "gen_ai_client_operation_time_to_first_chunk_seconds", "histogram",
            "Time to the first chunk of the response as the client measured it, of the model calls that reported one.");
        for (int i = 0; i < n; i++) {
            histogram(o, "gen_ai_client_operation_time_to_first_chunk_seconds", labels[i], null,
                t[i].timeToFirstTokenSeconds());
        }
        family(o.b, "gen_ai_server_time_per_output_token_seconds", "histogram",
            "Time per output token after the first, (duration - time to first token) / (output tokens - 1), of the "
                + "model calls that reported a time to first token and at least 2 output tokens.");
        for (int i = 0; i < n; i++) {
            histogram(o, "gen_ai_server_time_per_output_token_seconds", labels[i], null,
                t[i].timePerOutputTokenSeconds());
        }
        family(o.b, "gen_ai_client_token_usage", "histogram",
            "Tokens per model call by type (input or output), since the store was created.");
        for (int i = 0; i < n; i++) {
            histogram(o, "gen_ai_client_token_usage", labels[i], INPUT, t[i].inputTokens());
            histogram(o, "gen_ai_client_token_usage", labels[i], OUTPUT, t[i].outputTokens());
        }
        family(o.b, "ringmeter_requests_total", "counter",
            "Model calls recorded since the store was created, by status.");
        for (int i = 0; i < n; i++) {
            for (final Status s : Status.values()) {
                sample(o, "ringmeter_requests_total", labels[i], STATUS[s.ordinal()], t[i].requests(s));
            }
        }
        family(o.b, "ringmeter_errors_total", "counter", "Model calls that reported an error type, by error type.");
        for (int i = 0; i < n; i++) {
            for (final Map.Entry<String, Long> e : t[i].errorsByType().entrySet()) {
                sample(o, "ringmeter_errors_total", labels[i], ',' + label("error_type", e.getKey()),
                    e.getValue().longValue());
            }
        }
        family(o.b, "ringmeter_tokens_total", "counter", "Tokens of the model calls, by type (input or output).");
        for (int i = 0; i < n; i++) {
            sample(o.b, "ringmeter_tokens_total", labels[i] + INPUT, t[i].inputTokens().sum());
            sample(o.b, "ringmeter_tokens_total", labels[i] + OUTPUT, t[i].outputTokens().sum());
            o.spill();
        }
        family(o.b, "ringmeter_cost_usd_total", "counter",
            "Cost in USD of the model calls that carried one or could be priced from the price table.");
        for (int i = 0; i < n; i++) {
            sample(o.b, "ringmeter_cost_usd_total", labels[i], t[i].costUsd());
            o.spill();
        }
        family(o.b, "ringmeter_retries_total", "counter", "Retries reported by the model calls.");
        for (int i = 0; i < n; i++) {
            sample(o, "ringmeter_retries_total", labels[i], null, t[i].retries());
        }
        family(o.b, "ringmeter_cache_lookups_total", "counter", "Model calls that said whether a cache served them.");
        for (int i = 0; i < n; i++) {
            sample(o, "ringmeter_cache_lookups_total", labels[i], ",result=\"hit\"", t[i].cacheHits());
            sample(o, "ringmeter_cache_lookups_total", labels[i], ",result=\"miss\"", t[i].cacheMisses());
        }
        family(o.b, "ringmeter_quality_score", "summary",
            "Quality scores the model calls carried, by score name: sum and count, so a rate of each gives the mean.");
        for (int i = 0; i < n; i++) {
            quality(o.b, "ringmeter_quality_score", labels[i], t[i]);
            o.spill();
        }
        for (final Map.Entry<Subject.Kind, SortedMap<Subject, CallTotals>> k : subjects.entrySet()) {
            subjectFamilies(o, k.getKey(), k.getValue());
            o.spill();
        }
        final StringBuilder b = o.b;
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
    }

    /**
     * The families of one kind of subject other than the model, each named {@code ringmeter_<kind>_...} and labelled
     * with the subject's own labels ({@link #subjectLabels}): events by status, their duration, tokens, cost and
     * quality scores since the store was created.
     */
    private static void subjectFamilies(final Out o, final Subject.Kind kind,
                                        final SortedMap<Subject, CallTotals> totals) throws IOException {
        final StringBuilder b = o.b;
        final String what = kind == Subject.Kind.STEP ? "pipeline step" : kind.field();
        final String prefix = "ringmeter_" + kind.field() + '_';
        family(b, prefix + "duration_seconds", "histogram", "Duration of the events of each " + what
            + " (model calls or not) since the store was created.");
        for (final Map.Entry<Subject, CallTotals> e : totals.entrySet()) {
            histogram(o, prefix + "duration_seconds", subjectLabels(e.getKey()), null, e.getValue().durationSeconds());
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

    /**
     * Writes a histogram's lines, each {@code name_bucket{labels extra,le="bound"} count}, then hands on what the
     * buffer holds if it is a chunk.
     *
     * @param extra labels after the model's (starting with a comma), or null for none.
     */
    private static void histogram(final Out o, final String name, final String labels, final String extra,
                                  final FixedBucketHistogram h) throws IOException {
        final StringBuilder b = o.b;
        for (int i = 0; i < h.boundCount(); i++) {
            b.append(name).append("_bucket{").append(labels);
            if (extra != null) {
                b.append(extra);
            }
            b.append(",le=\"").append(o.le(i, h.bound(i))).append("\"} ").append(h.cumulativeCount(i)).append('\n');
        }
        b.append(name).append("_bucket{").append(labels);
        if (extra != null) {
            b.append(extra);
        }
        b.append(",le=\"+Inf\"} ").append(h.count()).append('\n');
        b.append(name).append("_sum{").append(labels);
        if (extra != null) {
            b.append(extra);
        }
        b.append("} ");
        number(b, h.sum());
        b.append('\n');
        b.append(name).append("_count{").append(labels);
        if (extra != null) {
            b.append(extra);
        }
        b.append("} ").append(h.count()).append('\n');
        o.spill();
    }

    /** Writes a sample labelled with a model's labels and more (starting with a comma, or null), then spills. */
    private static void sample(final Out o, final String name, final String labels, final String extra,
                               final long value) throws IOException {
        final StringBuilder b = o.b;
        b.append(name).append('{').append(labels);
        if (extra != null) {
            b.append(extra);
        }
        b.append("} ").append(value).append('\n');
        o.spill();
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

    /**
     * Where the text goes as it is made: a buffer of whole lines, handed on to a writer (as OpenMetrics if asked)
     * each time it holds a chunk, so a scrape holds one chunk and not the whole text. It also keeps the text of the last bounds written, since a family's histograms share
     * theirs (formatting a double is most of a bucket line's cost).
     * <p>
     * Threading: one scrape's, on its thread.
     */
    static final class Out {
        /** Characters buffered before they are handed on: at most this plus one model's histogram (a few KB). */
        static final int CHUNK = 32 * 1024;
        final StringBuilder b;
        private final Writer out;
        private final boolean openMetrics;
        private char[] chars;
        private double[] bounds = new double[0];
        private String[] texts = new String[0];

        /**
         * @param out         where each chunk goes.
         * @param openMetrics whether to write the chunks as OpenMetrics.
         */
        Out(final Writer out, final boolean openMetrics) {
            this.out = out;
            this.openMetrics = openMetrics;
            this.b = new StringBuilder(CHUNK + 8192);
        }

        /** Hands on what the buffer holds if it is a chunk; it holds whole lines, never half a family's header. */
        void spill() throws IOException {
            if (b.length() >= CHUNK) {
                flush();
            }
        }

        /** Hands on what the buffer holds. */
        void flush() throws IOException {
            if (b.length() == 0) {
                return;
            }
            if (openMetrics) {
                OpenMetricsText.write(b.toString(), out);
            } else {
                if (chars == null || chars.length < b.length()) {
                    chars = new char[Math.max(b.length(), CHUNK + 8192)];
                }
                b.getChars(0, b.length(), chars, 0);
                out.write(chars, 0, b.length());
            }
            b.setLength(0);
        }

        /** @return the text of bound i, made once while the histograms written share it. */
        String le(final int i, final double bound) {
            if (i >= bounds.length) {
                bounds = Arrays.copyOf(bounds, i + 16);
                texts = Arrays.copyOf(texts, i + 16);
            }
            if (texts[i] == null || Double.doubleToRawLongBits(bounds[i]) != Double.doubleToRawLongBits(bound)) {
                final StringBuilder t = new StringBuilder(24);
                number(t, bound);
                bounds[i] = bound;
                texts[i] = t.toString();
            }
            return texts[i];
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
