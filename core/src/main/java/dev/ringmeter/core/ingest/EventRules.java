package dev.ringmeter.core.ingest;

import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.DictionaryAdmission;
import dev.ringmeter.wire.FieldNames;
import org.agrona.concurrent.EpochClock;

/**
 * The rules an event or a metric sample must meet to be stored, written once: its required fields
 * ({@link Event#validate()}, {@link MetricSample#validate()}) and a caller-given time no further in the future than
 * the store's {@link StoreConfig#maxFutureSkewMs(long)}. Each value was already checked by its setter, and the
 * strings meet the {@link Dictionary}'s rules (length, cardinality) when the store resolves them, or before a batch
 * is recorded through a {@link DictionaryAdmission}. The embedded store applies these rules in {@code record()}; the
 * server applies them to every item of a batch as it reads it, before any is recorded. So an event is refused for
 * the same reason, in the same words, whichever way it comes in.
 * <p>
 * Threading: immutable; any thread. Checking a valid event allocates nothing.
 */
public final class EventRules {
    private final EpochClock clock;
    private final long maxFutureSkewMs;

    /**
     * @param config of the store: its clock and allowed future skew.
     */
    public EventRules(final StoreConfig config) {
        this.clock = config.clock();
        this.maxFutureSkewMs = config.maxFutureSkewMs();
    }

    /**
     * @param event to check.
     * @throws InvalidEventException naming the first field that breaks a rule.
     */
    public void check(final Event event) {
        event.validate();
        checkNotFuture(event.timestampMs());
    }

    /**
     * @param sample to check.
     * @throws InvalidEventException naming the first field that breaks a rule.
     */
    public void check(final MetricSample sample) {
        sample.validate();
        checkNotFuture(sample.timestampMs());
    }

    /** A time of 0 means "when recorded" and is always accepted. */
    private void checkNotFuture(final long timestampMs) {
        if (timestampMs == 0) {
            return;
        }
        if (timestampMs - clock.time() > maxFutureSkewMs) {
            throw new InvalidEventException(FieldNames.TIMESTAMP,
                "lies more than " + maxFutureSkewMs + " ms in the future");
        }
    }
}
