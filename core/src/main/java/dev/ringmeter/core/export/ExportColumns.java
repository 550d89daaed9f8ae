package dev.ringmeter.core.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.wire.FieldNames;

import java.io.IOException;
import java.util.List;

/**
 * The columns of an exported event, in their stable order, and the one writer of a row in every format. The names
 * are those of the ingest API ({@link FieldNames}), so an NDJSON export can be posted back as it is: timestamp
 * (epoch ms), the dimensions, the latencies in ms, the tokens and their parts, cost, status, error type, retries,
 * cacheHit, memory, CPU, then the quality scores and the tags (objects in JSON; in CSV a cell holding the same JSON
 * object). A value the event does not carry is null in JSON and an empty cell in CSV.
 * <p>
 * Threading: stateless; a row is written on the export's thread.
 */
public final class ExportColumns {
    /** The columns, in order. */
    public static final List<String> NAMES = List.of(FieldNames.TIMESTAMP, FieldNames.MODEL, FieldNames.PROVIDER,
        FieldNames.OPERATION, FieldNames.PIPELINE, FieldNames.STEP, FieldNames.TOOL, FieldNames.AGENT,
        FieldNames.RUN, FieldNames.TASK, FieldNames.CONFIG, FieldNames.STATUS, FieldNames.ERROR_TYPE,
        FieldNames.RETRIES, FieldNames.CACHE_HIT, FieldNames.LATENCY_MS, FieldNames.TTFT_MS,
        FieldNames.QUEUE_WAIT_MS, FieldNames.PROMPT_TOKENS, FieldNames.COMPLETION_TOKENS, FieldNames.CACHED_TOKENS,
        FieldNames.CACHE_WRITE_TOKENS, FieldNames.REASONING_TOKENS, FieldNames.COST_USD, FieldNames.MEMORY_BYTES,
        FieldNames.CPU_MS, FieldNames.QUALITY, FieldNames.TAGS);

    private static final double NS_PER_MS = 1_000_000.0;

    private ExportColumns() {
    }

    /**
     * Writes one event as an object of {@link #NAMES}, in their order.
     *
     * @param g    the generator (a CSV one with the columns as its schema, or a JSON one).
     * @param e    the event.
     * @param flat whether quality and tags go as JSON text in a cell (CSV) rather than as objects.
     * @throws IOException if the output fails.
     */
    static void write(final JsonGenerator g, final Event e, final boolean flat) throws IOException {
        g.writeStartObject();
        g.writeNumberField(FieldNames.TIMESTAMP, e.timestampMs());
        string(g, FieldNames.MODEL, e.model());
        string(g, FieldNames.PROVIDER, e.provider());
        string(g, FieldNames.OPERATION, e.operation());
        string(g, FieldNames.PIPELINE, e.pipeline());
        string(g, FieldNames.STEP, e.step());
        string(g, FieldNames.TOOL, e.tool());
        string(g, FieldNames.AGENT, e.agent());
        string(g, FieldNames.RUN, e.run());
        string(g, FieldNames.TASK, e.task());
        string(g, FieldNames.CONFIG, e.config());
        g.writeStringField(FieldNames.STATUS, e.status().wireName());
        string(g, FieldNames.ERROR_TYPE, e.errorType());
        g.writeNumberField(FieldNames.RETRIES, e.retries());
        if (e.cache() == CacheResult.UNKNOWN) {
            g.writeNullField(FieldNames.CACHE_HIT);
        } else {
            g.writeBooleanField(FieldNames.CACHE_HIT, e.cache() == CacheResult.HIT);
        }
        millis(g, FieldNames.LATENCY_MS, e.latencyNs());
        millis(g, FieldNames.TTFT_MS, e.ttftNs());
        millis(g, FieldNames.QUEUE_WAIT_MS, e.queueWaitNs());
        whole(g, FieldNames.PROMPT_TOKENS, e.promptTokens());
        whole(g, FieldNames.COMPLETION_TOKENS, e.completionTokens());
        whole(g, FieldNames.CACHED_TOKENS, e.cachedTokens());
        whole(g, FieldNames.CACHE_WRITE_TOKENS, e.cacheWriteTokens());
        whole(g, FieldNames.REASONING_TOKENS, e.reasoningTokens());
        if (Double.isNaN(e.costUsd())) {
            g.writeNullField(FieldNames.COST_USD);
        } else {
            g.writeNumberField(FieldNames.COST_USD, e.costUsd());
        }
        whole(g, FieldNames.MEMORY_BYTES, e.memoryBytes());
        millis(g, FieldNames.CPU_MS, e.cpuNs());
        if (flat) {
            g.writeStringField(FieldNames.QUALITY, qualityText(e));
            g.writeStringField(FieldNames.TAGS, tagsText(e));
        } else {
            g.writeObjectFieldStart(FieldNames.QUALITY);
            for (int i = 0; i < e.qualityCount(); i++) {
                g.writeNumberField(e.qualityName(i), e.qualityValue(i));
            }
            g.writeEndObject();
            g.writeObjectFieldStart(FieldNames.TAGS);
            for (int i = 0; i < e.tagCount(); i++) {
                g.writeStringField(e.tagKey(i), e.tagValue(i));
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    static void string(final JsonGenerator g, final String name, final String value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, value);
        }
    }

    static void whole(final JsonGenerator g, final String name, final long value) throws IOException {
        if (value == Event.NONE) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, value);
        }
    }

    static void millis(final JsonGenerator g, final String name, final long ns) throws IOException {
        if (ns == Event.NONE) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, ns / NS_PER_MS);
        }
    }

    private static String qualityText(final Event e) {
        final StringBuilder s = new StringBuilder().append('{');
        for (int i = 0; i < e.qualityCount(); i++) {
            quoted(i == 0 ? s : s.append(','), e.qualityName(i)).append(':').append(e.qualityValue(i));
        }
        return s.append('}').toString();
    }

    private static String tagsText(final Event e) {
        final StringBuilder s = new StringBuilder().append('{');
        for (int i = 0; i < e.tagCount(); i++) {
            quoted(quoted(i == 0 ? s : s.append(','), e.tagKey(i)).append(':'), e.tagValue(i));
        }
        return s.append('}').toString();
    }

    private static StringBuilder quoted(final StringBuilder s, final String text) {
        s.append('"');
        JsonStringEncoder.getInstance().quoteAsString(text, s);
        return s.append('"');
    }
}
