package dev.ringmeter.core.aggregate;

import com.lmax.disruptor.EventHandler;
import dev.ringmeter.core.cost.PriceBook;
import dev.ringmeter.core.ingest.EventSlot;
import org.agrona.concurrent.EpochClock;

/**
 * The ring consumer that applies events to the {@link Aggregates}. Takes the aggregates' lock once per batch (or
 * per {@value Aggregates#MAX_EVENTS_PER_LOCK} events) rather than per event, stamps events that carry no time
 * with the clock read once per batch and, as the writer of the {@link PriceBook}, stamps their cost (both only
 * when no journal handler did before it), notes each journaled recompute in the price book, applies the cost
 * changes a recompute sends, captures a snapshot when one is due (never while a recompute's changes are still
 * coming: a snapshot then would hold half of them at a position after the recompute's record)
 * (at the next end of a journal document, so that the snapshot's journal position is exact; another thread writes
 * it, see {@link Aggregates#capture}), has the dictionary release the ids idle past its window
 * ({@link dev.ringmeter.core.dictionary.IdleRelease}, at the start of a batch when a sweep is due), and allocates
 * nothing in steady state.
 * <p>
 * Threading: called only by its own Disruptor consumer thread.
 */
public final class AggregateHandler implements EventHandler<EventSlot> {
    /**
     * Takes a snapshot of the aggregates: called on the aggregate thread, holding the lock, at the end of a journal
     * document; captures the state cheaply and leaves the writing to another thread, or skips if one is still being
     * written.
     */
    @FunctionalInterface
    public interface Snapshotter {
        void snapshot(long journalIndex);
    }

    private final Aggregates aggregates;
    private final PriceBook prices;
    private final EpochClock clock;
    private final Snapshotter snapshotter;
    private final long snapshotIntervalMs;
    private boolean locked;
    private int sinceLock;
    private long batchTimeMs;
    private long lastJournalIndex = -1;
    private long lastSnapshotMs;
    private boolean snapshotDue;
    /** Recomputes journaled whose cost changes have not all been applied yet. */
    private volatile int recomputesPending;

    /**
     * @param aggregates         to apply events to.
     * @param prices             the price table when this handler is the ring's first consumer and so its writer;
     *                           null when a journal handler before it stamps the costs.
     * @param clock              to stamp events without a time.
     * @param snapshotter        writes snapshots, or null for a store without a data directory.
     * @param snapshotIntervalMs how often to snapshot.
     * @param recoveredIndex     index of the last journal document already in the aggregates (recovered), or -1.
     */
    public AggregateHandler(final Aggregates aggregates, final PriceBook prices, final EpochClock clock,
                            final Snapshotter snapshotter, final long snapshotIntervalMs, final long recoveredIndex) {
        this.aggregates = aggregates;
        this.prices = prices;
        this.clock = clock;
        this.snapshotter = snapshotter;
        this.snapshotIntervalMs = snapshotIntervalMs;
        this.lastJournalIndex = recoveredIndex;
        this.lastSnapshotMs = clock.time();
    }

    @Override
    public void onEvent(final EventSlot slot, final long sequence, final boolean endOfBatch) {
        if (!locked) {
            aggregates.lock();
            locked = true;
            sinceLock = 0;
            batchTimeMs = clock.time();
            aggregates.idleRelease().beginBatch(batchTimeMs);
            if (snapshotter != null && batchTimeMs - lastSnapshotMs >= snapshotIntervalMs) {
                lastSnapshotMs = batchTimeMs;
                snapshotDue = true;
            }
        }
        try {
            if (slot.kind != EventSlot.KIND_VOID) {
                if (slot.timestampMs == 0) {
                    slot.timestampMs = batchTimeMs;
                }
                if (prices != null) {
                    prices.stamp(slot);
                }
                if (slot.kind == EventSlot.KIND_RECOMPUTE) {
                    slot.recompute.journalIndex(slot.journalIndex);
                    aggregates.recover(slot);   // notes the recompute in the price book
                    recomputesPending++;
                } else if (slot.kind == EventSlot.KIND_COST_CHANGE && slot.recompute != null) {
                    recomputesPending--;   // the end of a recompute's changes
                } else {
                    aggregates.apply(slot, slot.timestampMs);
                }
            }
            if (slot.endsDocument) {
                // every event of the document is applied: a snapshot here matches a journal position exactly
                lastJournalIndex = slot.journalIndex;
                if (snapshotDue && recomputesPending == 0) {
                    snapshotDue = false;
                    snapshotter.snapshot(lastJournalIndex);
                }
            }
        } finally {
            if (endOfBatch || ++sinceLock == Aggregates.MAX_EVENTS_PER_LOCK) {
                locked = false;
                aggregates.unlock();
            }
        }
    }

    /**
     * @return whether a recompute's cost changes are still coming: a snapshot now would hold part of them. Any
     * thread.
     */
    public boolean recomputePending() {
        return recomputesPending > 0;
    }

    /**
     * @return the index of the last journal document wholly applied, -1 for none; for the snapshot at close.
     */
    public long lastJournalIndex() {
        return lastJournalIndex;
    }
}
