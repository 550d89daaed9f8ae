package dev.ringmeter.core.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.journal.JournalScan;
import dev.ringmeter.core.journal.RetentionOvertookException;
import dev.ringmeter.core.run.RunException;
import dev.ringmeter.wire.FieldNames;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;

/**
 * Streams training data: one JSONL row per journaled event of a {@link TrainingRequest}, in journal order (so the
 * same request gives the same rows in the same order), with the schema {@value #SCHEMA_VERSION} of docs/export.md:
 * {@code context} (when, run, task, pipeline, step, config as the prompt or template version, agent, tool, tags),
 * {@code action} (model, provider, operation, and the parameters of the run the event names, from the store's
 * runs), {@code outcome} (status, error type, latencies, tokens, cost, retries, cache hit) and {@code reward}
 * (success, quality scores). After each batch a line {@code {"batch": {index, rows, cursor}}}: the cursor resumes an
 * interrupted export right after that batch. Ends with the same trailer as {@link EventExport}.
 * <p>
 * Memory: a generator's buffer and the parameters of at most {@value #RUNS_KEPT} runs (the events of a run come
 * together); it does not grow with the rows.
 * <p>
 * Threading: an export runs on the calling thread; the class is stateless.
 */
public final class TrainingExport {
    /** The version of the rows' layout; a change to it is a new version. */
    public static final int SCHEMA_VERSION = 1;
    /** Runs whose parameters an export keeps at once. */
    static final int RUNS_KEPT = 64;
    private static final int SHARE_STEPS = 1_000_000;

    private TrainingExport() {
    }

    /**
     * Writes a training-data export; leaves the output open (and flushed).
     *
     * @param store     a store with a journal.
     * @param request   what to write.
     * @param out       where to write it.
     * @param cancelled looked at every few thousand events; once true the export ends with a
     *                  {@link dev.ringmeter.core.journal.ScanStoppedException}.
     * @return the summary the trailer states.
     * @throws IOException if the output fails.
     */
    public static ExportSummary write(final EmbeddedStore store, final TrainingRequest request,
                                      final OutputStream out, final BooleanSupplier cancelled) throws IOException {
        final ExportRequest rows = request.rows();
        final GZIPOutputStream gzip = rows.gzip() ? new GZIPOutputStream(out, EventExport.GZIP_BUFFER_BYTES) : null;
        final OutputStream target = gzip != null ? gzip : out;
        final JsonGenerator g = EventExport.JSON.createGenerator(target);
        g.setRootValueSeparator(new SerializedString("\n"));
        final JournalScan scan = new JournalScan(store).between(rows.fromMs(), rows.toMs()).where(rows.filter())
            .timeLimitMs(JournalScan.NO_TIME_LIMIT).cancelWhen(cancelled);
        final Parameters parameters = new Parameters(store);
        final long testFromMs = rows.toMs() - (long)Math.ceil((rows.toMs() - rows.fromMs()) * request.testShare());
        final long[] count = {0, 0, 0, -1, 0};   // rows, batches, rows in the batch, document of the last row, events
        ExportSummary summary;
        try {
            final long next = scan.stream(rows.cursor(), (e, weight) -> {
                try {
                    final long document = scan.document();
                    if (count[2] >= request.batchSize() && document != count[3]) {
                        writeBatch(g, count[1]++, count[2], document);
                        count[2] = 0;
                    }
                    writeRow(g, e, weight, split(request, testFromMs, e), parameters.of(e.run()));
                    count[0]++;
                    count[4] += weight;
                    count[2]++;
                    count[3] = document;
                } catch (final IOException x) {
                    throw new UncheckedIOException(x);
                }
            });
            summary = new ExportSummary(count[0], count[4], rows.fromMs(), rows.toMs(), true, next, null, false);
        } catch (final UncheckedIOException x) {
            throw x.getCause();
        } catch (final RetentionOvertookException x) {
            summary = new ExportSummary(count[0], count[4], rows.fromMs(), rows.toMs(), false, x.cursor(),
                x.getMessage(), x.lost());
        }
        if (count[2] > 0) {
            writeBatch(g, count[1], count[2], summary.cursor());
        }
        EventExport.finish(g, ExportFormat.NDJSON, summary, target, gzip, out);
        return summary;
    }

    /** @return "train" or "test" for an event. */
    static String split(final TrainingRequest request, final long testFromMs, final Event e) {
        switch (request.split()) {
            case RUN:
                final CRC32 crc = new CRC32();
                crc.update((e.run() == null ? "" : e.run()).getBytes(StandardCharsets.UTF_8));
                return crc.getValue() % SHARE_STEPS < request.testShare() * SHARE_STEPS ? "test" : "train";
            case TIME:
                return e.timestampMs() >= testFromMs && request.testShare() > 0 ? "test" : "train";
            default:
                return "train";
        }
    }

    private static void writeBatch(final JsonGenerator g, final long index, final long rows, final long cursor)
        throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("batch");
        g.writeNumberField("index", index);
        g.writeNumberField("rows", rows);
        g.writeStringField("cursor", Long.toString(cursor));
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeRow(final JsonGenerator g, final Event e, final int weight, final String split,
                                 final Map<String, Object> parameters) throws IOException {
        g.writeStartObject();
        g.writeNumberField("schemaVersion", SCHEMA_VERSION);
        g.writeStringField("split", split);
        g.writeNumberField("weight", weight);
        g.writeObjectFieldStart("context");
        g.writeNumberField(FieldNames.TIMESTAMP, e.timestampMs());
        ExportColumns.string(g, FieldNames.RUN, e.run());
        ExportColumns.string(g, FieldNames.TASK, e.task());
        ExportColumns.string(g, FieldNames.PIPELINE, e.pipeline());
        ExportColumns.string(g, FieldNames.STEP, e.step());
        ExportColumns.string(g, FieldNames.CONFIG, e.config());
        ExportColumns.string(g, FieldNames.AGENT, e.agent());
        ExportColumns.string(g, FieldNames.TOOL, e.tool());
        g.writeObjectFieldStart(FieldNames.TAGS);
        for (int i = 0; i < e.tagCount(); i++) {
            g.writeStringField(e.tagKey(i), e.tagValue(i));
        }
        g.writeEndObject();
        g.writeEndObject();
        g.writeObjectFieldStart("action");
        ExportColumns.string(g, FieldNames.MODEL, e.model());
        ExportColumns.string(g, FieldNames.PROVIDER, e.provider());
        ExportColumns.string(g, FieldNames.OPERATION, e.operation());
        if (parameters == null) {
            g.writeNullField("parameters");
        } else {
            g.writeObjectFieldStart("parameters");
            for (final Map.Entry<String, Object> p : parameters.entrySet()) {
                g.writeFieldName(p.getKey());
                final Object v = p.getValue();
                if (v instanceof Long || v instanceof Integer) {
                    g.writeNumber(((Number)v).longValue());
                } else if (v instanceof Number) {
                    g.writeNumber(((Number)v).doubleValue());
                } else if (v instanceof Boolean) {
                    g.writeBoolean((Boolean)v);
                } else {
                    g.writeString(String.valueOf(v));
                }
            }
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeObjectFieldStart("outcome");
        g.writeStringField(FieldNames.STATUS, e.status().wireName());
        ExportColumns.string(g, FieldNames.ERROR_TYPE, e.errorType());
        ExportColumns.millis(g, FieldNames.LATENCY_MS, e.latencyNs());
        ExportColumns.millis(g, FieldNames.TTFT_MS, e.ttftNs());
        ExportColumns.whole(g, FieldNames.PROMPT_TOKENS, e.promptTokens());
        ExportColumns.whole(g, FieldNames.COMPLETION_TOKENS, e.completionTokens());
        ExportColumns.whole(g, FieldNames.CACHED_TOKENS, e.cachedTokens());
        ExportColumns.whole(g, FieldNames.REASONING_TOKENS, e.reasoningTokens());
        if (Double.isNaN(e.costUsd())) {
            g.writeNullField(FieldNames.COST_USD);
        } else {
            g.writeNumberField(FieldNames.COST_USD, e.costUsd());
        }
        g.writeNumberField(FieldNames.RETRIES, e.retries());
        if (e.cache() == CacheResult.UNKNOWN) {
            g.writeNullField(FieldNames.CACHE_HIT);
        } else {
            g.writeBooleanField(FieldNames.CACHE_HIT, e.cache() == CacheResult.HIT);
        }
        g.writeEndObject();
        g.writeObjectFieldStart("reward");
        g.writeBooleanField("success", e.status() == Status.OK);
        g.writeObjectFieldStart(FieldNames.QUALITY);
        for (int i = 0; i < e.qualityCount(); i++) {
            g.writeNumberField(e.qualityName(i), e.qualityValue(i));
        }
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndObject();
    }




    /** The parameters of the runs an export meets, the {@value #RUNS_KEPT} latest kept. */
    private static final class Parameters {
        private static final Map<String, Object> NONE = Map.of();
        private final EmbeddedStore store;
        private final Map<String, Map<String, Object>> kept = new LinkedHashMap<>(RUNS_KEPT * 2, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(final Map.Entry<String, Map<String, Object>> eldest) {
                return size() > RUNS_KEPT;
            }
        };

        Parameters(final EmbeddedStore store) {
            this.store = store;
        }

        /** @return the parameters of a run, or null if the event names none or the store does not know it. */
        Map<String, Object> of(final String run) {
            if (run == null) {
                return null;
            }
            Map<String, Object> p = kept.get(run);
            if (p == null) {
                try {
                    p = store.runs().get(run).parameters();
                } catch (final RunException notFound) {
                    p = NONE;
                }
                kept.put(run, p);
            }
            return p == NONE ? null : p;
        }
    }
}
