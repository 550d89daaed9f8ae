package dev.ringmeter.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.Status;
import dev.ringmeter.Tagged;
import dev.ringmeter.core.ingest.EventRules;
import dev.ringmeter.wire.FieldNames;

import java.io.IOException;
import java.util.List;

/**
 * Reads one event object of the ingest API onto a reused {@link Event}, whose setters check each value. Strict: an
 * unknown or repeated field is refused, naming it; JSON null leaves a field absent. After the object, the store's
 * {@link EventRules} are applied (required fields, a time not too far in the future), the same rules the store
 * applies to an event recorded in process.
 * <p>
 * Threading: stateless after construction; any thread.
 */
public final class EventReader implements BatchReader.ItemReader {
    private static final List<String> FIELDS = FieldNames.EVENT;

    private final EventRules rules;

    /**
     * @param rules of the store.
     */
    public EventReader(final EventRules rules) {
        this.rules = rules;
    }

    @Override
    public void read(final JsonParser p, final IngestBatch batch, final int index) throws IOException {
        final Event e = batch.event(index);
        int seen = 0;
        String name;
        while ((name = p.nextFieldName()) != null) {
            final int bit = 1 << fieldIndex(name);
            if ((seen & bit) != 0) {
                throw new InvalidEventException(name, "appears twice");
            }
            seen |= bit;
            p.nextToken();
            if (FieldValues.isNull(p)) {
                continue;
            }
            field(p, e, name);
        }
        rules.check(e);
    }

    private static int fieldIndex(final String name) {
        final int i = FIELDS.indexOf(name);
        if (i < 0) {
            throw new InvalidEventException(name, "is not a field of an event; valid: " + String.join(", ", FIELDS));
        }
        return i;
    }

    private static void field(final JsonParser p, final Event e, final String name) throws IOException {
        switch (name) {
            case FieldNames.TIMESTAMP:
                e.timestampMs(FieldValues.timestampMs(p, name));
                break;
            case FieldNames.MODEL:
                e.model(FieldValues.string(p, name));
                break;
            case FieldNames.OPERATION:
                e.operation(FieldValues.string(p, name));
                break;
            case FieldNames.LATENCY_MS:
                e.latencyMs(FieldValues.number(p, name));
                break;
            case FieldNames.TTFT_MS:
                e.ttftMs(FieldValues.number(p, name));
                break;
            case FieldNames.QUEUE_WAIT_MS:
                e.queueWaitMs(FieldValues.number(p, name));
                break;
            case FieldNames.PROMPT_TOKENS:
                e.promptTokens(FieldValues.wholeNumber(p, name));
                break;
            case FieldNames.COMPLETION_TOKENS:
                e.completionTokens(FieldValues.wholeNumber(p, name));
                break;
            case FieldNames.STATUS:
                e.status(Status.parse(FieldValues.string(p, name)));
                break;
            case FieldNames.ERROR_TYPE:
                e.errorType(FieldValues.string(p, name));
                break;
            case FieldNames.RETRIES: {
                final long retries = FieldValues.wholeNumber(p, name);
                if (retries > Integer.MAX_VALUE) {
                    throw new InvalidEventException(name, "is out of range");
                }
                e.retries((int)retries);
                break;
            }
            case FieldNames.CACHE_HIT:
                e.cache(FieldValues.bool(p, name) ? CacheResult.HIT : CacheResult.MISS);
                break;
            case FieldNames.MEMORY_BYTES:
                e.memoryBytes(FieldValues.wholeNumber(p, name));
                break;
            case FieldNames.CPU_MS:
                e.cpuMs(FieldValues.number(p, name));
                break;
            case FieldNames.COST_USD:
                e.costUsd(FieldValues.number(p, name));
                break;
            case FieldNames.QUALITY:
                quality(p, e);
                break;
            case FieldNames.PIPELINE:
                e.pipeline(FieldValues.string(p, name));
                break;
            case FieldNames.STEP:
                e.step(FieldValues.string(p, name));
                break;
            case FieldNames.RUN:
                e.run(FieldValues.string(p, name));
                break;
            case FieldNames.TASK:
                e.task(FieldValues.string(p, name));
                break;
            case FieldNames.CONFIG:
                e.config(FieldValues.string(p, name));
                break;
            case FieldNames.TAGS:
                tags(p, e);
                break;
            default:
                throw new InvalidEventException(name, "is not a field of an event");
        }
    }

    private static void quality(final JsonParser p, final Event e) throws IOException {
        FieldValues.startObject(p, FieldNames.QUALITY);
        String name;
        while ((name = p.nextFieldName()) != null) {
            for (int i = 0; i < e.qualityCount(); i++) {
                if (e.qualityName(i).equals(name)) {
                    throw new InvalidEventException(FieldNames.member(FieldNames.QUALITY, name), "appears twice");
                }
            }
            final JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_NULL) {
                continue;
            }
            e.quality(name, FieldValues.number(p, FieldNames.member(FieldNames.QUALITY, name)));
        }
    }

    /**
     * Reads a {@code tags} object into an event or a metric sample, refusing a key given twice.
     */
    static void tags(final JsonParser p, final Tagged e) throws IOException {
        FieldValues.startObject(p, FieldNames.TAGS);
        String key;
        while ((key = p.nextFieldName()) != null) {
            for (int i = 0; i < e.tagCount(); i++) {
                if (e.tagKey(i).equals(key)) {
                    throw new InvalidEventException(FieldNames.member(FieldNames.TAGS, key), "appears twice");
                }
            }
            p.nextToken();
            e.tag(key, FieldValues.string(p, FieldNames.member(FieldNames.TAGS, key)));
        }
    }
}
