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
            case FieldNames.OPERATION:
            case FieldNames.STATUS:
            case FieldNames.ERROR_TYPE:
            case FieldNames.PIPELINE:
            case FieldNames.STEP:
            case FieldNames.RUN:
            case FieldNames.TASK:
            case FieldNames.CONFIG:
            case FieldNames.PROVIDER:
            case FieldNames.TOOL:
            case FieldNames.AGENT:
                set(text(e, name, FieldValues.string(p, name, texts)), name);
                break;
            case FieldNames.LATENCY_MS:
            case FieldNames.TTFT_MS:
            case FieldNames.QUEUE_WAIT_MS:
            case FieldNames.CPU_MS:
            case FieldNames.COST_USD:
                set(number(e, name, FieldValues.number(p, name)), name);
                break;
            case FieldNames.PROMPT_TOKENS:
            case FieldNames.COMPLETION_TOKENS:
            case FieldNames.CACHED_TOKENS:
            case FieldNames.CACHE_WRITE_TOKENS:
            case FieldNames.REASONING_TOKENS:
            case FieldNames.RETRIES:
            case FieldNames.MEMORY_BYTES:
                set(whole(e, name, FieldValues.wholeNumber(p, name)), name);
                break;
            case FieldNames.CACHE_HIT:
                e.cache(FieldValues.bool(p, name) ? CacheResult.HIT : CacheResult.MISS);
                break;
            case FieldNames.QUALITY:
                quality(p, e);
                break;
            case FieldNames.TAGS:
                tags(p, e);
                break;
            default:
                throw new InvalidEventException(name, "is not a field of an event");
        }
    }

    private static void set(final boolean set, final String name) {
        if (!set) {
            throw new IllegalStateException(name + " has no setter of its kind");
        }
    }

    /**
     * Sets a field whose value is a JSON string: the one place that maps these names to the event's setters, for
     * this reader and {@link NdjsonEventReader}.
     *
     * @return false if the field is not one of them (nothing is set).
     * @throws InvalidEventException if the event's setter refuses the value.
     */
    static boolean text(final Event e, final String name, final String value) {
        switch (name) {
            case FieldNames.MODEL:
                e.model(value);
                return true;
            case FieldNames.OPERATION:
                e.operation(value);
                return true;
            case FieldNames.STATUS:
                e.status(Status.parse(value));
                return true;
            case FieldNames.ERROR_TYPE:
                e.errorType(value);
                return true;
            case FieldNames.PIPELINE:
                e.pipeline(value);
                return true;
            case FieldNames.STEP:
                e.step(value);
                return true;
            case FieldNames.RUN:
                e.run(value);
                return true;
            case FieldNames.TASK:
                e.task(value);
                return true;
            case FieldNames.CONFIG:
                e.config(value);
                return true;
            case FieldNames.PROVIDER:
                e.provider(value);
                return true;
            case FieldNames.TOOL:
                e.tool(value);
                return true;
            case FieldNames.AGENT:
                e.agent(value);
                return true;
            default:
                return false;
        }
    }

    /**
     * Sets a field whose value is any JSON number, as {@link #text}.
     *
     * @return false if the field is not one of them.
     */
    static boolean number(final Event e, final String name, final double value) {
        switch (name) {
            case FieldNames.LATENCY_MS:
                e.latencyMs(value);
                return true;
            case FieldNames.TTFT_MS:
                e.ttftMs(value);
                return true;
            case FieldNames.QUEUE_WAIT_MS:
                e.queueWaitMs(value);
                return true;
            case FieldNames.CPU_MS:
                e.cpuMs(value);
                return true;
            case FieldNames.COST_USD:
                e.costUsd(value);
                return true;
            default:
                return false;
        }
    }

    /**
     * Sets a field whose value is a whole JSON number, as {@link #text}; the timestamp as epoch milliseconds.
     *
     * @return false if the field is not one of them.
     */
    static boolean whole(final Event e, final String name, final long value) {
        switch (name) {
            case FieldNames.TIMESTAMP:
                e.timestampMs(value);
                return true;
            case FieldNames.PROMPT_TOKENS:
                e.promptTokens(value);
                return true;
            case FieldNames.COMPLETION_TOKENS:
                e.completionTokens(value);
                return true;
            case FieldNames.CACHED_TOKENS:
                e.cachedTokens(value);
                return true;
            case FieldNames.CACHE_WRITE_TOKENS:
                e.cacheWriteTokens(value);
                return true;
            case FieldNames.REASONING_TOKENS:
                e.reasoningTokens(value);
                return true;
            case FieldNames.MEMORY_BYTES:
                e.memoryBytes(value);
                return true;
            case FieldNames.RETRIES:
                if (value > Integer.MAX_VALUE) {
                    throw new InvalidEventException(name, "must be at most " + Integer.MAX_VALUE + " but was "
                        + value);
                }
                e.retries((int)Math.max(Integer.MIN_VALUE, value));   // a negative one: the event's own refusal
                return true;
            default:
                return false;
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
