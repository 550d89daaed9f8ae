package dev.ringmeter.server.query;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.core.query.Subject;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.wire.FieldNames;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/**
 * Writes the analytics of a window and recent events as JSON, field by field (a NaN, where a window holds nothing
 * to measure, is written as null).
 * <p>
 * Threading: stateless.
 */
public final class StatsWriter {
    private StatsWriter() {
    }

    /**
     * Writes the fields that name a subject: {@code subject} (its kind: pipeline, step, tool, agent), and its
     * {@code pipeline} and {@code step}, {@code tool} or {@code agent} name.
     *
     * @param g       the generator, in an object.
     * @param subject the subject.
     * @throws IOException never in practice.
     */
    static void subject(final JsonGenerator g, final Subject subject) throws IOException {
        g.writeStringField("subject", subject.kind().field());
        if (subject.kind() == Subject.Kind.STEP) {
            if (subject.pipeline() == null) {
                g.writeNullField(FieldNames.PIPELINE);
            } else {
                g.writeStringField(FieldNames.PIPELINE, subject.pipeline());
            }
        }
        g.writeStringField(subject.kind().field(), subject.name());
    }

    /**
     * @param g     the generator.
     * @param s     the analytics of one window.
     * @param model the name to show ("all" for every model together).
     * @throws IOException never in practice.
     */
    static void window(final JsonGenerator g, final WindowStats s, final String model) throws IOException {
        window(g, s, model, null);
    }

    /**
     * @param g     the generator.
     * @param s     the analytics of one window.
     * @param model the name to show ("all" for every model together).
     * @param group the value of the group-by dimension, or null outside a grouped scan.
     * @throws IOException never in practice.
     */
    static void window(final JsonGenerator g, final WindowStats s, final String model, final String group)
        throws IOException {
        window(g, s, model, group, null, null, null);
    }

    /**
     * @param g       the generator.
     * @param s       the analytics of one window.
     * @param model   the model to show ("all" for every model together), or null for another subject.
     * @param group   the value of the group-by dimension, or null outside a grouped scan.
     * @param subject the subject other than a model the window is of, or null.
     * @param source  what answered ("memory" or "journal"), or null to leave it out.
     * @param extra   writes fields of its own after the group's (a comparison's values), or null.
     * @throws IOException never in practice.
     */
    static void window(final JsonGenerator g, final WindowStats s, final String model, final String group,
                       final Subject subject, final String source, final Json.Body extra) throws IOException {
        g.writeStartObject();
        if (subject == null) {
            g.writeStringField("model", model);
        } else {
            subject(g, subject);
        }
        if (group != null) {
            g.writeStringField("group", group);
        }
        if (source != null) {
            g.writeStringField("source", source);
        }
        if (extra != null) {
            extra.write(g);
        }
        Json.time(g, "from", s.fromMs());
        Json.time(g, "to", s.toMs());
        if (s.bucketsMerged() > 0) {
            Json.time(g, "coveredFrom", s.coveredFromMs());
            Json.time(g, "coveredTo", s.coveredToMs());
        } else {
            g.writeNullField("coveredFrom");
            g.writeNullField("coveredTo");
        }
        g.writeNumberField("count", s.count());
        g.writeNumberField("estimatedCount", s.estimatedCount());
        g.writeNumberField("okCount", s.okCount());
        g.writeNumberField("errorCount", s.errorCount());
        g.writeNumberField("timeoutCount", s.timeoutCount());
        g.writeNumberField("cancelledCount", s.cancelledCount());
        Json.number(g, "requestsPerSecond", s.requestsPerSecond());
        g.writeObjectFieldStart("latencyMs");
        Json.number(g, "p50", s.latencyMs(50));
        Json.number(g, "p90", s.latencyMs(90));
        Json.number(g, "p95", s.latencyMs(95));
        Json.number(g, "p99", s.latencyMs(99));
        Json.number(g, "p999", s.latencyMs(99.9));
        Json.number(g, "max", s.latencyMaxMs());
        Json.number(g, "mean", s.latencyMeanMs());
        g.writeEndObject();
        g.writeObjectFieldStart("ttftMs");
        Json.number(g, "p50", s.ttftMs(50));
        Json.number(g, "p90", s.ttftMs(90));
        Json.number(g, "p95", s.ttftMs(95));
        Json.number(g, "p99", s.ttftMs(99));
        Json.number(g, "mean", s.ttftMeanMs());
        g.writeEndObject();
        g.writeObjectFieldStart("queueWaitMs");
        Json.number(g, "p50", s.queueWaitMs(50));
        Json.number(g, "p95", s.queueWaitMs(95));
        Json.number(g, "p99", s.queueWaitMs(99));
        Json.number(g, "mean", s.queueWaitMeanMs());
        g.writeEndObject();
        g.writeObjectFieldStart("tokens");
        g.writeNumberField("input", s.promptTokens());
        g.writeNumberField("output", s.completionTokens());
        g.writeNumberField("total", s.totalTokens());
        g.writeNumberField("cached", s.cachedTokens());
        g.writeNumberField("cacheWrite", s.cacheWriteTokens());
        g.writeNumberField("reasoning", s.reasoningTokens());
        g.writeEndObject();
        Json.number(g, "tokensPerSecond", s.tokensPerSecond());
        Json.number(g, "outputTokensPerSecond", s.outputTokensPerSecond());
        Json.number(g, "errorRate", s.errorRate());
        Json.number(g, "timeoutRate", s.timeoutRate());
        Json.number(g, "retryRate", s.retryRate());
        g.writeNumberField("retries", s.retries());
        g.writeObjectFieldStart("errorsByType");
        for (final Map.Entry<String, Long> e : s.errorsByType().entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        Json.number(g, "cacheHitRate", s.cacheHitRate());
        Json.number(g, "costUsd", s.costUsd());
        Json.number(g, "costPerRequestUsd", s.costPerRequestUsd());
        g.writeNumberField("costUnknown", s.costUnknown());
        Json.number(g, "costPerSuccessUsd", s.costPerSuccessUsd());
        Json.number(g, "costPer1kTokensUsd", s.costPer1kTokensUsd());
        Json.number(g, "memoryBytesMean", s.memoryBytesMean());
        Json.number(g, "cpuMeanMs", s.cpuMeanMs());
        g.writeObjectFieldStart("qualityMeans");
        for (final Map.Entry<String, Double> e : s.qualityMeans().entrySet()) {
            Json.number(g, e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeObjectFieldStart("quality");
        for (final Map.Entry<String, WindowStats.QualityScore> e : s.qualityScores().entrySet()) {
            g.writeObjectFieldStart(e.getKey());
            g.writeNumberField("count", e.getValue().count());
            Json.number(g, "mean", e.getValue().mean());
            Json.number(g, "stdDev", e.getValue().standardDeviation());
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /**
     * Writes the stats of a custom metric's samples.
     *
     * @param g    the generator.
     * @param s    the metric's window.
     * @param name of the metric.
     * @throws IOException never in practice.
     */
    /** The suffixes of a custom metric name whose values are bytes: its rate is also given in MB (10^6 B) a second. */
    static final String[] BYTES_SUFFIXES = {".bytes", "_bytes"};

    /**
     * @param name a custom metric's name.
     * @return whether its values are bytes, by its suffix ({@link #BYTES_SUFFIXES}).
     */
    static boolean isBytes(final String name) {
        for (final String suffix : BYTES_SUFFIXES) {
            if (name.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes a custom metric's window: counters, value percentiles, the sum per second ({@code rate}, and
     * {@code mbPerSecond} for bytes), the samples outside the percentiles, and the tags of its series.
     *
     * @param tags tag key to its values among the name's series.
     */
    static void metric(final JsonGenerator g, final WindowStats s, final String name,
                       final Map<String, ? extends Collection<String>> tags) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        Json.time(g, "from", s.fromMs());
        Json.time(g, "to", s.toMs());
        g.writeNumberField("count", s.count());
        Json.number(g, "sum", s.valueSum());
        Json.number(g, "mean", s.valueMean());
        Json.number(g, "min", s.valueMin());
        Json.number(g, "max", s.valueMax());
        Json.number(g, "p50", s.valuePercentile(50));
        Json.number(g, "p90", s.valuePercentile(90));
        Json.number(g, "p95", s.valuePercentile(95));
        Json.number(g, "p99", s.valuePercentile(99));
        Json.number(g, "rate", s.valueRate());
        if (isBytes(name)) {
            Json.number(g, "mbPerSecond", s.valueRate() / 1e6);
        }
        g.writeNumberField("negativeValues", s.negativeValues());
        g.writeNumberField("unplacedSamples", s.unplacedSamples());
        g.writeObjectFieldStart("tags");
        for (final Map.Entry<String, ? extends Collection<String>> t : tags.entrySet()) {
            g.writeArrayFieldStart(t.getKey());
            for (final String v : t.getValue()) {
                g.writeString(v);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /**
     * Writes one event with the field names of the ingest API.
     *
     * @param g the generator.
     * @param e the event.
     * @throws IOException never in practice.
     */
    public static void event(final JsonGenerator g, final Event e) throws IOException {
        event(g, e, false);
    }

    /**
     * Writes one event with the field names of the ingest API.
     *
     * @param g       the generator.
     * @param e       the event.
     * @param epochMs whether to add {@code timestampMs}, its time in epoch ms (the live stream's events have it).
     * @throws IOException never in practice.
     */
    public static void event(final JsonGenerator g, final Event e, final boolean epochMs) throws IOException {
        g.writeStartObject();
        Json.time(g, FieldNames.TIMESTAMP, e.timestampMs());
        if (epochMs) {
            g.writeNumberField("timestampMs", e.timestampMs());
        }
        g.writeStringField(FieldNames.MODEL, e.model());
        optional(g, FieldNames.OPERATION, e.operation());
        optional(g, FieldNames.PIPELINE, e.pipeline());
        optional(g, FieldNames.STEP, e.step());
        optional(g, FieldNames.RUN, e.run());
        optional(g, FieldNames.TASK, e.task());
        optional(g, FieldNames.CONFIG, e.config());
        optional(g, FieldNames.PROVIDER, e.provider());
        optional(g, FieldNames.TOOL, e.tool());
        optional(g, FieldNames.AGENT, e.agent());
        g.writeNumberField(FieldNames.LATENCY_MS, e.latencyNs() / 1e6);
        optionalMs(g, FieldNames.TTFT_MS, e.ttftNs());
        optionalMs(g, FieldNames.QUEUE_WAIT_MS, e.queueWaitNs());
        optionalLong(g, FieldNames.PROMPT_TOKENS, e.promptTokens());
        optionalLong(g, FieldNames.COMPLETION_TOKENS, e.completionTokens());
        optionalLong(g, FieldNames.CACHED_TOKENS, e.cachedTokens());
        optionalLong(g, FieldNames.CACHE_WRITE_TOKENS, e.cacheWriteTokens());
        optionalLong(g, FieldNames.REASONING_TOKENS, e.reasoningTokens());
        g.writeStringField(FieldNames.STATUS, e.status().wireName());
        optional(g, FieldNames.ERROR_TYPE, e.errorType());
        g.writeNumberField(FieldNames.RETRIES, e.retries());
        if (e.cache() != CacheResult.UNKNOWN) {
            g.writeBooleanField(FieldNames.CACHE_HIT, e.cache() == CacheResult.HIT);
        }
        optionalLong(g, FieldNames.MEMORY_BYTES, e.memoryBytes());
        optionalMs(g, FieldNames.CPU_MS, e.cpuNs());
        if (e.costUsd() == e.costUsd()) {
            g.writeNumberField(FieldNames.COST_USD, e.costUsd());
        }
        g.writeEndObject();
    }

    private static void optional(final JsonGenerator g, final String name, final String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    private static void optionalMs(final JsonGenerator g, final String name, final long ns) throws IOException {
        if (ns != Event.NONE) {
            g.writeNumberField(name, ns / 1e6);
        }
    }

    private static void optionalLong(final JsonGenerator g, final String name, final long value) throws IOException {
        if (value != Event.NONE) {
            g.writeNumberField(name, value);
        }
    }
}
