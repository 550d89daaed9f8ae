package dev.ringmeter.core.aggregate;

import dev.ringmeter.Event;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.ingest.EventSlot;

import java.util.Arrays;

/**
 * Internal, for benchmarks only; not part of the store's API and free to change. The aggregate writer of a store
 * with a given configuration, without a ring or threads, and pre-filled slots to apply to it: what the
 * {@link AggregateHandler} does for each event, so a benchmark can measure it alone.
 * <p>
 * Threading: one thread at a time; it plays the single writer and takes no lock.
 */
public final class AggregateApplyHarness {
    private final Dictionary dictionary;
    private final Aggregates aggregates;
    private EventSlot[] slots = new EventSlot[0];

    /**
     * @param config the store's configuration; concluded here.
     */
    public AggregateApplyHarness(final StoreConfig config) {
        final StoreConfig concluded = config.conclude();
        this.dictionary = new Dictionary(concluded.cardinalityLimits(), concluded.maxStringLength());
        this.aggregates = new Aggregates(concluded, dictionary);
    }

    /**
     * Fills a new slot with an event, as a producer would (its strings become dictionary ids).
     *
     * @param event valid event.
     * @return the slot's index, for {@link #apply(int, long)}.
     */
    public int fill(final Event event) {
        event.validate();
        final EventSlot slot = new EventSlot();
        slot.fill(event, dictionary);
        slots = Arrays.copyOf(slots, slots.length + 1);
        slots[slots.length - 1] = slot;
        return slots.length - 1;
    }

    /**
     * Fills a new slot with a custom metric sample, as a producer would (its name and tags become dictionary ids).
     *
     * @param sample valid sample.
     * @return the slot's index, for {@link #apply(int, long)}.
     */
    public int fill(final dev.ringmeter.MetricSample sample) {
        final EventSlot slot = new EventSlot();
        slot.fill(sample, dictionary, dev.ringmeter.core.privacy.Anonymizer.NONE);
        slots = Arrays.copyOf(slots, slots.length + 1);
        slots[slots.length - 1] = slot;
        return slots.length - 1;
    }

    /**
     * Applies a filled slot to the aggregates at a time, as the aggregate handler does; allocates nothing in
     * steady state.
     *
     * @param slot   index from {@link #fill(Event)}.
     * @param timeMs the event's time.
     */
    public void apply(final int slot, final long timeMs) {
        aggregates.apply(slots[slot], timeMs);
    }

    /** @return the aggregates applied to, to check a benchmark's result. */
    public Aggregates aggregates() {
        return aggregates;
    }
}
