package dev.ringmeter.core.journal;

import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.aggregate.AggregateHandler;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.dictionary.Dictionary;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a durable store's {@link Snapshot}s and remembers the latest one's journal position and time. The
 * {@link AggregateHandler} decides when one is due (every {@link StoreConfig#snapshotIntervalMs(long)}, at the end
 * of a journal document) and calls {@link #snapshot(long)}, which then lets the journal delete the cycle files a
 * restart no longer needs; the store writes a last one at close with {@link #snapshotAtClose}. A snapshot that
 * cannot be written is logged and skipped; the previous one stays in force.
 * <p>
 * Threading: {@link #snapshot(long)} runs on the aggregate thread, holding the aggregates' lock, so nothing changes
 * the state it writes. {@link #snapshotAtClose} runs on the closing thread once the consumers have stopped, and
 * takes that lock itself, which makes their last writes visible to it. The two never overlap. {@link #journalIndex()}
 * and {@link #writtenAtMs()} may be read from any thread.
 */
public final class SnapshotWriter implements AggregateHandler.Snapshotter {
    private static final System.Logger LOG = System.getLogger(SnapshotWriter.class.getName());

    private final Path dataDirectory;
    private final StoreConfig config;
    private final Journal journal;
    private final Dictionary dictionary;
    private final Aggregates aggregates;
    private volatile long journalIndex;
    private volatile long writtenAtMs;

    /**
     * @param dataDirectory to write the snapshot into.
     * @param config        the store's, part of the snapshot's fingerprint.
     * @param journal       whose expired cycles a periodic snapshot lets go.
     * @param dictionary    to write.
     * @param aggregates    to write.
     * @param journalIndex  index of the journal document the latest snapshot includes, -1 if none.
     * @param writtenAtMs   when the latest snapshot was written, epoch ms, 0 if none.
     */
    public SnapshotWriter(final Path dataDirectory, final StoreConfig config, final Journal journal,
                          final Dictionary dictionary, final Aggregates aggregates, final long journalIndex,
                          final long writtenAtMs) {
        this.dataDirectory = dataDirectory;
        this.config = config;
        this.journal = journal;
        this.dictionary = dictionary;
        this.aggregates = aggregates;
        this.journalIndex = journalIndex;
        this.writtenAtMs = writtenAtMs;
    }

    /**
     * Writes a snapshot, then deletes the journal's expired cycles that it makes unnecessary. Called by the
     * aggregate handler, holding the aggregates' lock, when a snapshot is due.
     *
     * @param journalIndex index of the last journal document wholly applied to the aggregates.
     */
    @Override
    public void snapshot(final long journalIndex) {
        write(journalIndex);
        journal.deleteExpiredCycles(this.journalIndex);
    }

    /**
     * Writes the last snapshot of a store whose consumers have stopped, under the aggregates' lock.
     *
     * @param aggregateHandler the stopped handler, whose last applied journal document the snapshot ends at.
     */
    public void snapshotAtClose(final AggregateHandler aggregateHandler) {
        aggregates.lock();   // the consumers have stopped; the lock makes their last writes visible here
        try {
            write(aggregateHandler.lastJournalIndex());
        } finally {
            aggregates.unlock();
        }
    }

    private void write(final long journalIndex) {
        final long startNs = System.nanoTime();
        try {
            Snapshot.write(dataDirectory, config, dictionary, aggregates, journalIndex);
            this.journalIndex = journalIndex;
            this.writtenAtMs = config.clock().time();
            LOG.log(System.Logger.Level.DEBUG, "snapshot written in " + (System.nanoTime() - startNs) / 1_000_000
                + " ms at journal index " + Long.toHexString(journalIndex));
        } catch (final IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "could not write a snapshot to " + dataDirectory, e);
        }
    }

    /**
     * @return the index of the journal document the latest snapshot includes, -1 if none.
     */
    public long journalIndex() {
        return journalIndex;
    }

    /**
     * @return when the latest snapshot was written, epoch ms by the store's clock, 0 if none.
     */
    public long writtenAtMs() {
        return writtenAtMs;
    }
}
