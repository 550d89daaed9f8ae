package dev.ringmeter.server.cluster;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.wire.FieldNames;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;

/**
 * The value of a record of the cluster's events topic: one event as a JSON object of the ingest API (the field
 * names of {@link FieldNames}, strings by name, never a node's dictionary id), so that the node that applies it
 * reads it with the very reader and rules of HTTP ingest. Durations are written in milliseconds with six decimals,
 * exactly (nanoseconds survive the trip); an absent optional field is left out.
 * <p>
 * Threading: stateless; any thread. {@link #encode} allocates the record's bytes (a record is handed to the Kafka
 * producer, which keeps them until the broker acknowledges).
 */
public final class EventCodec {
    private EventCodec() {
    }

    /**
     * @param e an event that passed the store's rules.
     * @return its JSON object, UTF-8.
     */
    public static byte[] encode(final Event e) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField(FieldNames.TIMESTAMP, e.timestampMs());
            g.writeStringField(FieldNames.MODEL, e.model());
            string(g, FieldNames.OPERATION, e.operation());
            millis(g, FieldNames.LATENCY_MS, e.latencyNs());
            millis(g, FieldNames.TTFT_MS, e.ttftNs());
            millis(g, FieldNames.QUEUE_WAIT_MS, e.queueWaitNs());
            whole(g, FieldNames.PROMPT_TOKENS, e.promptTokens());
            whole(g, FieldNames.COMPLETION_TOKENS, e.completionTokens());
            whole(g, FieldNames.CACHED_TOKENS, e.cachedTokens());
            whole(g, FieldNames.CACHE_WRITE_TOKENS, e.cacheWriteTokens());
            whole(g, FieldNames.REASONING_TOKENS, e.reasoningTokens());
            if (e.status() != Status.OK) {
                g.writeStringField(FieldNames.STATUS, e.status().wireName());
            }
            string(g, FieldNames.ERROR_TYPE, e.errorType());
            if (e.retries() != 0) {
                g.writeNumberField(FieldNames.RETRIES, e.retries());
            }
            if (e.cache() != CacheResult.UNKNOWN) {
                g.writeBooleanField(FieldNames.CACHE_HIT, e.cache() == CacheResult.HIT);
            }
            whole(g, FieldNames.MEMORY_BYTES, e.memoryBytes());
            millis(g, FieldNames.CPU_MS, e.cpuNs());
            if (!Double.isNaN(e.costUsd())) {
                g.writeNumberField(FieldNames.COST_USD, e.costUsd());
            }
            if (e.qualityCount() > 0) {
                g.writeObjectFieldStart(FieldNames.QUALITY);
                for (int i = 0; i < e.qualityCount(); i++) {
                    g.writeNumberField(e.qualityName(i), e.qualityValue(i));
                }
                g.writeEndObject();
            }
            string(g, FieldNames.PIPELINE, e.pipeline());
            string(g, FieldNames.STEP, e.step());
            string(g, FieldNames.RUN, e.run());
            string(g, FieldNames.TASK, e.task());
            string(g, FieldNames.CONFIG, e.config());
            string(g, FieldNames.PROVIDER, e.provider());
            string(g, FieldNames.TOOL, e.tool());
            string(g, FieldNames.AGENT, e.agent());
            if (e.tagCount() > 0) {
                g.writeObjectFieldStart(FieldNames.TAGS);
                for (int i = 0; i < e.tagCount(); i++) {
                    g.writeStringField(e.tagKey(i), e.tagValue(i));
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);   // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    private static void string(final JsonGenerator g, final String name, final String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    private static void whole(final JsonGenerator g, final String name, final long value) throws IOException {
        if (value != Event.NONE) {
            g.writeNumberField(name, value);
        }
    }

    private static void millis(final JsonGenerator g, final String name, final long nanos) throws IOException {
        if (nanos != Event.NONE) {
            g.writeFieldName(name);
            g.writeNumber(BigDecimal.valueOf(nanos, 6).toPlainString());
        }
    }
}
