package dev.ringmeter.core;

import com.lmax.disruptor.EventHandler;
import org.agrona.concurrent.EpochClock;

/**
 * The ring consumer that applies events to the {@link Aggregates}. Takes the aggregates' lock once per batch (or
 * per {@value Aggregates#MAX_EVENTS_PER_LOCK} events) rather than per event, stamps events that carry no time
 * with the clock read once per batch, and allocates nothing in steady state.
 * <p>
 * Threading: called only by its own Disruptor consumer thread.
 */
final class AggregateHandler implements EventHandler<EventSlot> {
    private final Aggregates aggregates;
    private final EpochClock clock;
    private final boolean stampsTime;
    private boolean locked;
    private int sinceLock;
    private long batchTimeMs;

    /**
     * @param aggregates to apply events to.
     * @param clock      to stamp events without a time.
     * @param stampsTime whether this handler gives undated events their time (false when an earlier handler has).
     */
    AggregateHandler(final Aggregates aggregates, final EpochClock clock, final boolean stampsTime) {
        this.aggregates = aggregates;
        this.clock = clock;
        this.stampsTime = stampsTime;
    }

    @Override
    public void onEvent(final EventSlot slot, final long sequence, final boolean endOfBatch) {
        if (!locked) {
            aggregates.lock();
            locked = true;
            sinceLock = 0;
            batchTimeMs = clock.time();
        }
        try {
            if (slot.kind != EventSlot.KIND_VOID) {
                if (slot.timestampMs == 0 && stampsTime) {
                    slot.timestampMs = batchTimeMs;
                }
                aggregates.apply(slot, slot.timestampMs == 0 ? batchTimeMs : slot.timestampMs);
            }
        } finally {
            if (endOfBatch || ++sinceLock == Aggregates.MAX_EVENTS_PER_LOCK) {
                locked = false;
                aggregates.unlock();
            }
        }
    }
}
