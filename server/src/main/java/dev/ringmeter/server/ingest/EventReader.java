package dev.ringmeter.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.Status;

import java.io.IOException;

/**
 * Reads one event object of the ingest API onto a reused {@link Event}, whose setters check each value. Strict: an
 * unknown or repeated field is refused, naming it; JSON null leaves a field absent. After the object, the event's
 * required fields are checked ({@link Event#validate()}) and a caller-given time must not lie in the future.
 * <p>
 * Threading: stateless after construction; any thread.
 */
public final class EventReader implements BatchReader.ItemReader {
    private static final String[] FIELDS = {
        "timestamp", "model", "operation", "latencyMs", "ttftMs", "queueWaitMs", "promptTokens", "completionTokens",
        "status", "errorType", "retries", "cacheHit", "memoryBytes", "cpuMs", "costUsd", "quality", "pipeline",
        "step", "run", "task", "config", "tags",
    };

    private final long maxFutureSkewMs;

    /**
     * @param maxFutureSkewMs how far in the future a given timestamp may lie (the store's setting).
     */
    public EventReader(final long maxFutureSkewMs) {
        this.maxFutureSkewMs = maxFutureSkewMs;
    }

    /** @return the field names an event may carry, comma-separated. */
    static String fieldNames() {
        return String.join(", ", FIELDS);
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
        e.validate();
        if (e.timestampMs() != 0) {
            FieldValues.notFuture(e.timestampMs(), maxFutureSkewMs, "timestamp");
        }
    }

    private static int fieldIndex(final String name) {
        for (int i = 0; i < FIELDS.length; i++) {
            if (FIELDS[i].equals(name)) {
                return i;
            }
        }
        throw new InvalidEventException(name, "is not a field of an event; valid: " + fieldNames());
    }

    private static void field(final JsonParser p, final Event e, final String name) throws IOException {
        switch (name) {
            case "timestamp":
                e.timestampMs(FieldValues.timestampMs(p, name));
                break;
            case "model":
                e.model(FieldValues.string(p, name));
                break;
            case "operation":
                e.operation(FieldValues.string(p, name));
                break;
            case "latencyMs":
                e.latencyMs(FieldValues.number(p, name));
                break;
            case "ttftMs":
                e.ttftMs(FieldValues.number(p, name));
                break;
            case "queueWaitMs":
                e.queueWaitMs(FieldValues.number(p, name));
                break;
            case "promptTokens":
                e.promptTokens(FieldValues.wholeNumber(p, name));
                break;
            case "completionTokens":
                e.completionTokens(FieldValues.wholeNumber(p, name));
                break;
            case "status":
                e.status(Status.parse(FieldValues.string(p, name)));
                break;
            case "errorType":
                e.errorType(FieldValues.string(p, name));
                break;
            case "retries": {
                final long retries = FieldValues.wholeNumber(p, name);
                if (retries > Integer.MAX_VALUE) {
                    throw new InvalidEventException(name, "is out of range");
                }
                e.retries((int)retries);
                break;
            }
            case "cacheHit":
                e.cache(FieldValues.bool(p, name) ? CacheResult.HIT : CacheResult.MISS);
                break;
            case "memoryBytes":
                e.memoryBytes(FieldValues.wholeNumber(p, name));
                break;
            case "cpuMs":
                e.cpuMs(FieldValues.number(p, name));
                break;
            case "costUsd":
                e.costUsd(FieldValues.number(p, name));
                break;
            case "quality":
                quality(p, e);
                break;
            case "pipeline":
                e.pipeline(FieldValues.string(p, name));
                break;
            case "step":
                e.step(FieldValues.string(p, name));
                break;
            case "run":
                e.run(FieldValues.string(p, name));
                break;
            case "task":
                e.task(FieldValues.string(p, name));
                break;
            case "config":
                e.config(FieldValues.string(p, name));
                break;
            case "tags":
                tags(p, e);
                break;
            default:
                throw new InvalidEventException(name, "is not a field of an event");
        }
    }

    private static void quality(final JsonParser p, final Event e) throws IOException {
        FieldValues.startObject(p, "quality");
        String name;
        while ((name = p.nextFieldName()) != null) {
            for (int i = 0; i < e.qualityCount(); i++) {
                if (e.qualityName(i).equals(name)) {
                    throw new InvalidEventException("quality." + name, "appears twice");
                }
            }
            final JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_NULL) {
                continue;
            }
            e.quality(name, FieldValues.number(p, "quality." + name));
        }
    }

    /**
     * Reads a {@code tags} object into an event or a metric sample, refusing a key given twice.
     */
    static void tags(final JsonParser p, final dev.ringmeter.Tagged e) throws IOException {
        FieldValues.startObject(p, "tags");
        String key;
        while ((key = p.nextFieldName()) != null) {
            for (int i = 0; i < e.tagCount(); i++) {
                if (e.tagKey(i).equals(key)) {
                    throw new InvalidEventException("tags." + key, "appears twice");
                }
            }
            p.nextToken();
            e.tag(key, FieldValues.string(p, "tags." + key));
        }
    }
}
