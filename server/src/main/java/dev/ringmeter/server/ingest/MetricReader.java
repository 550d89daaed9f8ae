package dev.ringmeter.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.ingest.EventRules;
import dev.ringmeter.wire.FieldNames;

import java.io.IOException;

/**
 * Reads one custom metric sample ({@code {"name": ..., "value": ..., "count": ..., "timestamp": ..., "tags": {...}}}) onto a
 * reused {@link MetricSample}, as strictly as every {@link ObjectReader}, and applies the store's
 * {@link EventRules} to it.
 * <p>
 * Threading: stateless after construction; any thread.
 */
public final class MetricReader extends ObjectReader<MetricSample> {
    private final EventRules rules;

    /**
     * @param rules of the store.
     */
    public MetricReader(final EventRules rules) {
        super("a metric sample", FieldNames.SAMPLE);
        this.rules = rules;
    }

    @Override
    MetricSample item(final IngestBatch batch, final int index) {
        return batch.sample(index);
    }

    @Override
    void check(final MetricSample s) {
        rules.check(s);
    }

    @Override
    void field(final JsonParser p, final MetricSample s, final String name, final TextCache texts) throws IOException {
        switch (name) {
            case FieldNames.NAME:
                s.name(FieldValues.string(p, name, texts));
                break;
            case FieldNames.VALUE:
                s.value(FieldValues.number(p, name));
                break;
            case FieldNames.COUNT:
                s.count(FieldValues.wholeNumber(p, name));
                break;
            case FieldNames.TIMESTAMP:
                s.timestampMs(FieldValues.timestampMs(p, name));
                break;
            case FieldNames.TAGS:
                tags(p, s);
                break;
            default:
                throw new InvalidEventException(name, "is not a field of a metric sample");
        }
    }
}
