package dev.ringmeter.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.Status;
import dev.ringmeter.core.ingest.EventRules;
import dev.ringmeter.wire.FieldNames;

import java.io.IOException;

/**
 * Reads one event object of the ingest API onto a reused {@link Event}, whose setters check each value, as strictly
 * as every {@link ObjectReader}; then applies the store's {@link EventRules} (required fields, a time not too far in
 * the future).
 * <p>
 * Threading: stateless after construction; any thread.
 */
public final class EventReader extends ObjectReader<Event> {
    private final EventRules rules;

    /**
     * @param rules of the store.
     */
    public EventReader(final EventRules rules) {
        super("an event", FieldNames.EVENT);
        this.rules = rules;
    }

    @Override
    Event item(final IngestBatch batch, final int index) {
        return batch.event(index);
    }

    @Override
    void check(final Event e) {
        rules.check(e);
    }

    @Override
    void field(final JsonParser p, final Event e, final String name, final TextCache texts) throws IOException {
        switch (name) {
            case FieldNames.TIMESTAMP:
                e.timestampMs(FieldValues.timestampMs(p, name));
                break;
            case FieldNames.MODEL:
                e.model(FieldValues.string(p, name, texts));
                break;
            case FieldNames.OPERATION:
                e.operation(FieldValues.string(p, name, texts));
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
            case FieldNames.CACHED_TOKENS:
                e.cachedTokens(FieldValues.wholeNumber(p, name));
                break;
            case FieldNames.CACHE_WRITE_TOKENS:
                e.cacheWriteTokens(FieldValues.wholeNumber(p, name));
                break;
            case FieldNames.REASONING_TOKENS:
                e.reasoningTokens(FieldValues.wholeNumber(p, name));
                break;
            case FieldNames.STATUS:
                e.status(Status.parse(FieldValues.string(p, name, texts)));
                break;
            case FieldNames.ERROR_TYPE:
                e.errorType(FieldValues.string(p, name, texts));
                break;
            case FieldNames.RETRIES: {
                final long retries = FieldValues.wholeNumber(p, name);
                if (retries > Integer.MAX_VALUE) {
                    throw new InvalidEventException(name, "must be at most " + Integer.MAX_VALUE + " but was "
                        + retries);
                }
                e.retries((int)Math.max(Integer.MIN_VALUE, retries));   // a negative one: the event's own refusal
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
                e.pipeline(FieldValues.string(p, name, texts));
                break;
            case FieldNames.STEP:
                e.step(FieldValues.string(p, name, texts));
                break;
            case FieldNames.RUN:
                e.run(FieldValues.string(p, name, texts));
                break;
            case FieldNames.TASK:
                e.task(FieldValues.string(p, name, texts));
                break;
            case FieldNames.CONFIG:
                e.config(FieldValues.string(p, name, texts));
                break;
            case FieldNames.PROVIDER:
                e.provider(FieldValues.string(p, name, texts));
                break;
            case FieldNames.TOOL:
                e.tool(FieldValues.string(p, name, texts));
                break;
            case FieldNames.AGENT:
                e.agent(FieldValues.string(p, name, texts));
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
}
