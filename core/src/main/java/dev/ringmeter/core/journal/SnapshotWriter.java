package dev.ringmeter.core.journal;

import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.aggregate.AggregateHandler;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.aggregate.AggregatesImage;
import dev.ringmeter.core.dictionary.Dictionary;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes a durable store's {@link Snapshot}s without pausing ingestion, and remembers the latest one's journal
 * position and time. The {@link AggregateHandler} decides when one is due (every
 * {@link StoreConfig#snapshotIntervalMs(long)}, at the end of a journal document) and calls {@link #snapshot(long)},
 * which {@link Aggregates#capture captures} the aggregates at that position into an {@link AggregatesImage} (the
 * buckets are shared and frozen, not copied) and hands it to this writer's own thread, {@value #THREAD_NAME}. That
 * thread encodes it with the dictionary, writes and fsyncs the file, releases the image and then lets the journal
 * delete the cycle files a restart no longer needs. The dictionary is written after the capture, while producers
 * and the aggregate thread go on, releasing ids and giving them to other values; so the capture also has the
 * dictionary keep the name of every id it frees ({@link Dictionary#captureForSnapshot()}) until the release of the
 * image ({@link Dictionary#snapshotWritten()}): the dictionary written names every id as the journal records after
 * the snapshot's position mean it. At most one snapshot is in flight: one that falls due while the
 * previous is still being written is skipped and counted ({@link #skipped()}); the next end of a document after the
 * next interval takes one. The store writes a last one at close with {@link #snapshotAtClose}. A snapshot that
 * cannot be written is logged and skipped; the previous one stays in force.
 * <p>
 * Threading: {@link #snapshot(long)} runs on the aggregate thread (the single writer) and never waits: it captures,
 * publishes the image through a volatile field and unparks the snapshot thread, which is a daemon started at the
 * first snapshot. {@link #snapshotAtClose} runs on the closing thread once the consumers have stopped: it waits for
 * the snapshot in flight, stops the thread, and captures and writes the last snapshot itself, under the aggregates'
 * lock, which makes the consumers' last writes visible to it. {@link #journalIndex()}, {@link #writtenAtMs()},
 * {@link #skipped()} and {@link #lastCaptureNanos()} may be read from any thread.
 */
public final class SnapshotWriter implements AggregateHandler.Snapshotter {
    /** The name of the thread that writes the snapshots. */
    public static final String THREAD_NAME = "ringmeter-snapshot";
    private static final System.Logger LOG = System.getLogger(SnapshotWriter.class.getName());
    /** How long {@link #snapshotAtClose} waits for the snapshot in flight, seconds. */
    private static final long CLOSE_WAIT_S = 30;

    private final Path dataDirectory;
    private final StoreConfig config;
    private final Journal journal;
    private final Dictionary dictionary;
    private final Aggregates aggregates;
    private final AggregatesImage image;
    private volatile long journalIndex;
    private volatile long writtenAtMs;
    /** The journal index of the image handed to the snapshot thread; written before {@link #inFlight}. */
    private long pendingIndex;
    /** Set by the aggregate thread when it hands an image over, cleared by the snapshot thread once written. */
    private volatile boolean inFlight;
    private volatile boolean stopping;
    private volatile long skipped;
    private volatile long lastCaptureNanos;
    private Thread thread;

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
        this.image = aggregates.newImage();
        this.journalIndex = journalIndex;
        this.writtenAtMs = writtenAtMs;
    }

    /**
     * Captures the aggregates (and has the dictionary keep the names of the ids it frees until the snapshot is
     * written) and hands them to the snapshot thread, or skips (and counts) if the previous snapshot is still being
     * written. Called by the aggregate handler, holding the aggregates' lock, when a snapshot is due.
     *
     * @param journalIndex index of the last journal document wholly applied to the aggregates.
     */
    @Override
    public void snapshot(final long journalIndex) {
        if (inFlight) {
            skipped++;   // one writer: the aggregate thread
            return;
        }
        final long startNs = System.nanoTime();
        aggregates.capture(image);
        lastCaptureNanos = System.nanoTime() - startNs;
        pendingIndex = journalIndex;
        inFlight = true;
        if (thread == null) {
            thread = new Thread(this::run, THREAD_NAME);
            thread.setDaemon(true);
            thread.start();
        } else {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (true) {
            if (inFlight) {
                write(pendingIndex);
                journal.deleteExpiredCycles(this.journalIndex);
                inFlight = false;
            } else if (stopping) {
                return;
            } else {
                LockSupport.park(this);
            }
        }
    }

    /**
     * Writes the last snapshot of a store whose consumers have stopped: waits for the snapshot in flight (at most
     * {@value #CLOSE_WAIT_S} s; past that, logs and writes none, and the journal covers what it lacks), stops the
     * snapshot thread, then captures and writes on the calling thread.
     *
     * @param aggregateHandler the stopped handler, whose last applied journal document the snapshot ends at.
     */
    public void snapshotAtClose(final AggregateHandler aggregateHandler) {
        if (!stopThread()) {
            LOG.log(System.Logger.Level.ERROR, "the snapshot in flight in " + dataDirectory + " did not end within "
                + CLOSE_WAIT_S + " s; closing without a last snapshot (the journal holds everything)");
            return;
        }
        if (aggregateHandler.recomputePending()) {
            LOG.log(System.Logger.Level.WARNING, "a recompute of costs did not finish before the store closed; closing"
                + " without a last snapshot, so that the next open replays the recompute whole from the journal");
            return;
        }
        aggregates.lock();   // the consumers have stopped; the lock makes their last writes visible here
        try {
            aggregates.capture(image);
        } finally {
            aggregates.unlock();
        }
        write(aggregateHandler.lastJournalIndex());
    }

    /** @return whether the snapshot thread has ended (or never started) within the wait. */
    private boolean stopThread() {
        if (thread == null) {
            return true;
        }
        stopping = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_S));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /** Writes the captured image and releases it, whatever happens. */
    private void write(final long journalIndex) {
        final long startNs = System.nanoTime();
        try {
            Snapshot.write(dataDirectory, config, dictionary, image, journalIndex);
            this.journalIndex = journalIndex;
            this.writtenAtMs = config.clock().time();
            LOG.log(System.Logger.Level.DEBUG, "snapshot written in " + (System.nanoTime() - startNs) / 1_000_000
                + " ms at journal index " + Long.toHexString(journalIndex));
        } catch (final IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "could not write a snapshot to " + dataDirectory, e);
        } finally {
            image.release();
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

    /**
     * @return snapshots skipped because the previous one was still being written when they fell due.
     */
    public long skipped() {
        return skipped;
    }

    /**
     * @return how long the aggregate thread spent capturing the latest snapshot, ns (0 before the first).
     */
    public long lastCaptureNanos() {
        return lastCaptureNanos;
    }
}
