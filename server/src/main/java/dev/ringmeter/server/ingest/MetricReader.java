package dev.ringmeter.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.ingest.EventRules;
import dev.ringmeter.wire.FieldNames;

import java.io.IOException;

/**
 * Reads one custom metric sample ({@code {"name": ..., "value": ..., "timestamp": ..., "tags": {...}}}) onto a
 * reused {@link MetricSample}, with the same strictness as {@link EventReader}, and applies the store's
 * {@link EventRules} to it.
 * <p>
 * Threading: stateless after construction; any thread.
 */
public final class MetricReader implements BatchReader.ItemReader {
    private static final String FIELDS = String.join(", ", FieldNames.SAMPLE);

    private final EventRules rules;

    /**
     * @param rules of the store.
     */
    public MetricReader(final EventRules rules) {
        this.rules = rules;
    }

    @Override
    public void read(final JsonParser p, final IngestBatch batch, final int index) throws IOException {
        final MetricSample s = batch.sample(index);
        int seen = 0;
        String name;
        while ((name = p.nextFieldName()) != null) {
            final int bit;
            switch (name) {
                case FieldNames.NAME:
                    bit = 1;
                    break;
                case FieldNames.VALUE:
                    bit = 2;
                    break;
                case FieldNames.TIMESTAMP:
                    bit = 4;
                    break;
                case FieldNames.TAGS:
                    bit = 8;
                    break;
                default:
                    throw new InvalidEventException(name, "is not a field of a metric sample; valid: " + FIELDS);
            }
            if ((seen & bit) != 0) {
                throw new InvalidEventException(name, "appears twice");
            }
            seen |= bit;
            p.nextToken();
            if (FieldValues.isNull(p)) {
                continue;
            }
            switch (bit) {
                case 1:
                    s.name(FieldValues.string(p, name));
                    break;
                case 2:
                    s.value(FieldValues.number(p, name));
                    break;
                case 4:
                    s.timestampMs(FieldValues.timestampMs(p, name));
                    break;
                default:
                    EventReader.tags(p, s);
                    break;
            }
        }
        rules.check(s);
    }
}
