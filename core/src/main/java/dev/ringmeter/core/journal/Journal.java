package dev.ringmeter.core.journal;

import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.WriteLock;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * The store's durable log: a Chronicle Queue in {@code <data>/journal}, one record per event, metric sample,
 * price change and dictionary entry (layout in {@link JournalDescriptor}). Records are written by the
 * {@link JournalHandler} alone; a record is in the operating system's page cache when its write returns, so a
 * killed process loses nothing written (an OS crash or power loss needs {@link StoreConfig#journalSync(boolean)}).
 * Cycle files older than the journal's retention are deleted by {@link #deleteExpiredCycles(long)}. Cycles follow
 * the store's clock.
 * <p>
 * Threading: the queue may be read by any number of tailers on any threads (recovery, scans) while the journal
 * handler appends. {@link #deleteExpiredCycles(long)} and {@link #close()} may be called from any thread. A replay
 * decodes on its caller's thread and, on a machine with more than one processor, applies on a thread of its own
 * ({@link ReplayHandOff}) that has ended, its effects visible to the caller, when the replay returns.
 */
public final class Journal implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Journal.class.getName());
    static final String SUFFIX = ".cq4";
    private static final java.lang.reflect.Method WRITE_LOCK = writeLockMethod();

    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final long retentionMs;
    private final long blockBytes;
    private final Path directory;
    private final org.agrona.concurrent.EpochClock clock;
    /** Scans hold the read lock; retention deletes only when it gets the write lock without waiting. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock cycleFiles =
        new java.util.concurrent.locks.ReentrantReadWriteLock();
    /** What the latest sweep that found the cycle files in use was due to delete; written under this's monitor. */
    private volatile long retentionWaits;
    private volatile int waitingThroughCycle = Integer.MIN_VALUE;
    private volatile long waitingKeepFromIndex = -1;

    public Journal(final Path directory, final StoreConfig config) {
        this.directory = directory;
        this.clock = config.clock();
        this.rollCycle = RollCycles.valueOf(config.journalRollCycle());
        this.retentionMs = config.journalRetentionMs();
        this.blockBytes = config.journalBlockBytes();
        this.queue = SingleChronicleQueueBuilder.binary(directory)
            .rollCycle(rollCycle)
            .blockSize(config.journalBlockBytes())
            .syncMode(config.journalSync() ? SyncMode.SYNC : SyncMode.ASYNC)
            .timeProvider(clock::time)
            .build();
    }

    SingleChronicleQueue queue() {
        return queue;
    }

    /**
     * Releases the queue's write lock if this process holds it. Chronicle's appender keeps the lock when
     * {@code writingDocument()} fails with a checked exception (a cycle file it cannot create, on a full disk or a
     * directory gone), and its next appender would wait for it and time out; the journal handler calls this, on
     * its own thread, after such a failure and before it tries again with a new appender. The lock is not
     * published by Chronicle, hence the reflection.
     */
    void releaseWriteLockAfterFailedOpen() {
        try {
            final WriteLock lock = (WriteLock)WRITE_LOCK.invoke(queue);
            if (lock.locked() && lock.isLockedByCurrentProcess(otherPid -> { })) {
                lock.unlock();
            }
        } catch (final ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not release the journal's write lock after a failed write", e);
        }
    }

    /**
     * @return the directory of the journal's cycle files.
     */
    public Path directory() {
        return directory;
    }

    /**
     * @return the size of the blocks the journal's files are mapped in; a document may take at most a quarter.
     */
    long blockBytes() {
        return blockBytes;
    }

    /**
     * @return the index of the last record, or -1 if the journal is empty.
     */
    public long lastIndex() {
        final long last = queue.lastIndex();
        return last < 0 ? -1 : last;
    }

    /**
     * @return bytes of the journal's files on disk (their apparent size: Chronicle maps and pre-sizes files in
     * blocks, so this is at most one block per file above the data written).
     */
    public long diskBytes() {
        final File[] files = directory.toFile().listFiles();
        long bytes = 0;
        if (files != null) {
            for (final File f : files) {
                bytes += f.length();
            }
        }
        return bytes;
    }

    /**
     * Reads every record of the documents after an index, in order.
     *
     * @param afterIndex index of the last document already applied, or -1 to read from the start.
     * @param visitor    told of each record, in order, on the replay's apply thread (this thread with one
     *                   processor).
     * @param dictionary to restore dictionary entries into.
     * @return the number of records read and the index of the last document, as {count, lastIndex}.
     * @throws UndecodableJournalException naming the file and document of a record that cannot be decoded.
     */
    public long[] replay(final long afterIndex, final RecordVisitor visitor, final Dictionary dictionary) {
        return replay(afterIndex, visitor, dictionary, replayInParallel());
    }

    /**
     * @return whether a replay applies records on a second thread: when there is a second processor to run it,
     *         unless the system property {@code ringmeter.replay.parallel} is {@code false} (docs/configuration.md).
     */
    static boolean replayInParallel() {
        return Runtime.getRuntime().availableProcessors() > 1
            && !"false".equals(System.getProperty("ringmeter.replay.parallel"));
    }

    /**
     * {@link #replay(long, RecordVisitor, Dictionary)}, decoding and applying on one thread, or overlapped: decoded
     * on this thread and applied in the journal's order on another ({@link ReplayHandOff}).
     *
     * @param parallel whether to apply on a second thread.
     */
    long[] replay(final long afterIndex, final RecordVisitor visitor, final Dictionary dictionary,
                  final boolean parallel) {
        return replay(afterIndex, visitor, dictionary, parallel, false);
    }

    /**
     * {@link #replay(long, RecordVisitor, Dictionary, boolean)}, trusting the checksums the check at open verified.
     *
     * @param verified whether every document after afterIndex had its checksum verified by the check at open
     *                 ({@link JournalSalvage#walkAll}).
     */
    long[] replay(final long afterIndex, final RecordVisitor visitor, final Dictionary dictionary,
                  final boolean parallel, final boolean verified) {
        try (ExcerptTailer tailer = queue.createTailer()) {
            if (afterIndex >= 0) {
                if (!tailer.moveToIndex(afterIndex)) {
                    LOG.log(System.Logger.Level.WARNING, "the snapshot's journal position " + Long.toHexString(afterIndex)
                        + " is not in the journal (newer than it, or deleted); replaying what follows it");
                    // from the start of its cycle if the journal holds that (a salvaged cycle's kept documents end
                    // before it), so that a restart reads one cycle more, not the whole journal
                    if (!tailer.moveToIndex(rollCycle.toIndex(rollCycle.toCycle(afterIndex), 0))) {
                        tailer.toStart();
                    }
                    while (tailer.index() <= afterIndex && skipOne(tailer)) {
                        // skip documents up to the snapshot's position
                    }
                } else {
                    skipOne(tailer);
                }
            } else {
                tailer.toStart();
            }
            final long[] read;
            if (parallel) {
                final ReplayHandOff handOff = new ReplayHandOff(visitor);
                try {
                    read = read(tailer, handOff.first(), recoveryNames(dictionary, handOff), handOff, true, verified);
                    handOff.finish();
                } catch (final ReplayHandOff.ApplyFailed e) {
                    handOff.abort();
                    throw e.failure();
                } catch (final RuntimeException | Error e) {
                    handOff.abort();
                    throw e;
                }
            } else {
                read = read(tailer, new EventSlot(), recoveryNames(dictionary, null), visitor, true, verified);
            }
            return new long[] {read[0], read[1] < 0 ? afterIndex : read[1]};
        }
    }

    /**
     * The names recovery decodes with: the store's dictionary, as the snapshot left it and DICT records rebind it.
     * With a hand-off, a record that gives a bound id another name waits until the records before it, which the
     * apply thread may still name through the dictionary, are applied.
     */
    private static RecordNames recoveryNames(final Dictionary dictionary, final ReplayHandOff handOff) {
        return new RecordNames() {
            @Override
            public boolean bind(final Dimension dimension, final int id, final String name) {
                if (handOff != null && dictionary.knows(dimension, id)
                    && !name.equals(dictionary.name(dimension, id))) {
                    handOff.drain();
                }
                return dictionary.bind(dimension, id, name);
            }

            @Override
            public boolean knows(final Dimension dimension, final int id, final int version) {
                return dictionary.knows(dimension, id);
            }
        };
    }

    /**
     * Reads every record from a tailer's position to the end of the journal. Dictionary records go to the reader's
     * names, the others, decoded with the names as they stand, to the visitor. A record naming an id the reader
     * cannot decode stops a strict reader (recovery) with an {@link UndecodableJournalException} naming the file
     * and the document; a lenient one (a scan) leaves it out and counts it. A document that is damaged (its checksum
     * does not match: then none of it is read; cut short; an unknown kind) is logged with its file and index, and the
     * rest of it skipped.
     *
     * @param tailer  positioned at the first document to read.
     * @param first   the slot the first record is decoded into; then the one the visitor's handOff returns.
     * @param names   the reader's names.
     * @param visitor told of each event, sample or price record.
     * @param strict  whether an undecodable record stops the read.
     * @return {records read, index of the last document read or -1, records left out as undecodable}.
     * @throws UndecodableJournalException if strict and a record cannot be decoded.
     */
    long[] read(final ExcerptTailer tailer, final EventSlot first, final RecordNames names,
                final RecordVisitor visitor, final boolean strict) {
        return read(tailer, first, names, visitor, strict, false);
    }

    /**
     * {@link #read(ExcerptTailer, EventSlot, RecordNames, RecordVisitor, boolean)}, trusting the checksums of
     * documents the check at open verified. Only what is read from the bytes can be damage: an exception the visitor
     * throws (a failure to apply a record) ends the read with it.
     *
     * @param verified whether every document read was verified by the check at open ({@link JournalSalvage#walkAll}),
     *                 so that its checksum is not computed again.
     */
    long[] read(final ExcerptTailer tailer, final EventSlot first, final RecordNames names,
                final RecordVisitor visitor, final boolean strict, final boolean verified) {
        long count = 0;
        long last = -1;
        long skipped = 0;
        long undecodable = 0;
        EventSlot slot = first;
        while (true) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    break;
                }
                last = dc.index();
                final net.openhft.chronicle.bytes.Bytes<?> bytes = dc.wire().bytes();
                try {
                    JournalDescriptor.openDocument(bytes, verified);
                } catch (final IllegalStateException e) {
                    skipped = skipDamaged(last, e, skipped);
                    continue;
                }
                while (bytes.readRemaining() > 0) {
                    byte kind;
                    String bad;
                    try {
                        kind = JournalDescriptor.read(bytes, slot, names);
                        bad = kind == JournalDescriptor.KIND_DICT ? null : JournalDescriptor.undecodable(slot, names);
                    } catch (final JournalDescriptor.UndecodableRecordException e) {
                        kind = JournalDescriptor.KIND_DICT;
                        bad = e.getMessage();
                    } catch (final IllegalStateException e) {
                        skipped = skipDamaged(last, e, skipped);
                        break;
                    }
                    count++;
                    if (bad != null) {
                        if (strict) {
                            throw undecodable(last, bad);
                        }
                        undecodable++;
                    } else if (kind != JournalDescriptor.KIND_DICT) {
                        slot.journalIndex = last;
                        slot = visitor.handOff(slot);   // outside the catch of damage: a failure to apply ends the read
                    }
                }
            }
        }
        return new long[] {count, last, undecodable};
    }

    /** Logs (the first ten) a document whose bytes are damaged, the rest of which is skipped; returns the count. */
    private long skipDamaged(final long index, final IllegalStateException e, final long skipped) {
        if (skipped < 10) {
            LOG.log(System.Logger.Level.WARNING, "skipping the rest of unreadable journal document "
                + Long.toHexString(index) + " in " + cycleFile(index) + ": " + e.getMessage());
        }
        return skipped + 1;
    }

    /**
     * Places a tailer at the start of the first cycle that can hold records journaled at or after a time (the
     * journal's start if that time is before its first cycle).
     *
     * @param tailer  to place.
     * @param startMs the earliest journal time of interest, epoch ms.
     * @return false if no cycle at or after that time holds a record.
     */
    boolean moveToTime(final ExcerptTailer tailer, final long startMs) {
        final int startCycle = (int)(startMs / rollCycle.lengthInMillis());
        if (startCycle > queue.firstCycle()) {
            final int last = queue.lastCycle();
            for (int c = startCycle; c <= last; c++) {
                if (tailer.moveToIndex(rollCycle.toIndex(c, 0))) {
                    return true;
                }
            }
            return false;
        }
        tailer.toStart();
        return true;
    }

    private UndecodableJournalException undecodable(final long index, final String what) {
        final Path file = cycleFile(index);
        return new UndecodableJournalException("cannot decode the journal file " + file + " at document index 0x"
            + Long.toHexString(index) + ": " + what + ". The store does not guess what such a record means, and"
            + " does not open. If " + Snapshot.FILE + " was lost or damaged, restore it from a backup; otherwise move "
            + file.getFileName() + " out of " + directory + " (its events are then lost; every later cycle decodes"
            + " on its own) and open the store again.");
    }

    /**
     * @param index of a document.
     * @return the cycle file that holds it.
     */
    Path cycleFile(final long index) {
        return directory.resolve(fileName(rollCycle.toCycle(index)));
    }

    /** @return the journal's roll cycle. */
    RollCycle rollCycle() {
        return rollCycle;
    }

    private static boolean skipOne(final ExcerptTailer tailer) {
        try (DocumentContext dc = tailer.readingDocument()) {
            return dc.isPresent();
        }
    }

    /**
     * Deletes cycle files that ended more than the retention ago, never the current one and never one that holds
     * records after keepFromIndex (what a restart still has to replay), and nothing while a scan is reading (it
     * does not wait: the next sweep deletes what is due). Logs each deletion.
     *
     * @param keepFromIndex the index of the last record the latest snapshot includes; -1 (no snapshot: a restart
     *                      replays everything) deletes nothing.
     * @return the number of files deleted.
     */
    public synchronized int deleteExpiredCycles(final long keepFromIndex) {
        if (keepFromIndex < 0) {
            return 0;   // no snapshot yet
        }
        if (!cycleFiles.writeLock().tryLock()) {
            // a scan is reading: the next sweep deletes what is due; an export told of it gives way (StreamScan)
            waitingKeepFromIndex = keepFromIndex;
            waitingThroughCycle = expiredThrough(keepFromIndex);
            retentionWaits++;
            return 0;
        }
        try {
            return deleteExpiredCyclesLocked(keepFromIndex);
        } finally {
            cycleFiles.writeLock().unlock();
        }
    }

    /**
     * Deletes what a sweep that found the cycle files in use was due to delete, if no scan holds them now; not
     * counted as a wait if one does. For an export giving way to retention.
     *
     * @return the number of files deleted.
     */
    synchronized int deleteWhatWaited() {
        if (!cycleFiles.writeLock().tryLock()) {
            return 0;
        }
        try {
            return deleteExpiredCyclesLocked(waitingKeepFromIndex);
        } finally {
            cycleFiles.writeLock().unlock();
        }
    }

    /** @return how many sweeps found the cycle files in use by a scan, since the journal opened. */
    long retentionWaits() {
        return retentionWaits;
    }

    /** @return the last cycle the latest sweep that waited was due to delete. */
    int waitingThroughCycle() {
        return waitingThroughCycle;
    }

    /** @return the first cycle the journal holds. */
    int firstCycle() {
        return queue.firstCycle();
    }

    /**
     * Runs a reader while no cycle file is deleted (a Chronicle tailer that meets a cycle deleted under it may
     * stop early and see nothing).
     *
     * @param reader to run.
     */
    void whileCyclesKept(final Runnable reader) {
        cycleFiles.readLock().lock();
        try {
            reader.run();
        } finally {
            cycleFiles.readLock().unlock();
        }
    }

    /** @return the last cycle a sweep now would delete. */
    private int expiredThrough(final long keepFromIndex) {
        final long cutoffMs = clock.time() - retentionMs;
        int limitCycle = (int)(cutoffMs / rollCycle.lengthInMillis()) - 1;
        limitCycle = Math.min(limitCycle, queue.cycle() - 1);
        return Math.min(limitCycle, rollCycle.toCycle(keepFromIndex) - 1);
    }

    private int deleteExpiredCyclesLocked(final long keepFromIndex) {
        final int limitCycle = expiredThrough(keepFromIndex);
        final String limitName = fileName(limitCycle);
        final File[] files = directory.toFile().listFiles((dir, name) -> name.endsWith(SUFFIX));
        if (files == null) {
            return 0;
        }
        Arrays.sort(files);
        int deleted = 0;
        for (final File f : files) {
            if (f.getName().compareTo(limitName) > 0) {
                break;
            }
            final long bytes = f.length();
            if (!f.delete()) {
                LOG.log(System.Logger.Level.WARNING, "could not delete expired journal file " + f);
                break;
            }
            deleted++;
            LOG.log(System.Logger.Level.INFO, "deleted expired journal file " + f.getName() + " (" + bytes
                + " bytes)");
        }
        if (deleted > 0) {
            queue.refreshDirectoryListing();
        }
        return deleted;
    }

    private String fileName(final int cycle) {
        return DateTimeFormatter.ofPattern(rollCycle.format()).withZone(ZoneOffset.UTC)
            .format(Instant.ofEpochMilli(Math.max(0, (long)cycle) * rollCycle.lengthInMillis())) + SUFFIX;
    }

    /**
     * @param rollCycle of the journal.
     * @param fileName  of one of its cycle files.
     * @return the cycle the file holds.
     * @throws java.time.format.DateTimeParseException if the name is not one of the roll cycle's.
     */
    static int cycleOf(final RollCycle rollCycle, final String fileName) {
        final DateTimeFormatter format = new java.time.format.DateTimeFormatterBuilder()
            .appendPattern(rollCycle.format())
            .parseDefaulting(java.time.temporal.ChronoField.HOUR_OF_DAY, 0)
            .parseDefaulting(java.time.temporal.ChronoField.MINUTE_OF_HOUR, 0)
            .parseDefaulting(java.time.temporal.ChronoField.SECOND_OF_MINUTE, 0)
            .toFormatter().withZone(ZoneOffset.UTC);
        final String stem = fileName.substring(0, fileName.length() - SUFFIX.length());
        return (int)(Instant.from(format.parse(stem)).toEpochMilli() / rollCycle.lengthInMillis());
    }

    /**
     * Checks that Chronicle reads a cycle file as a walk of it did: its index finds the first and last documents
     * where the walk found them, a tailer reads its documents from the first in order at the walk's offsets and then
     * none of that cycle, and, for the queue's last cycle, the last index (where appends go on) is the walk's last
     * document. A cycle file whose Chronicle header or index was damaged fails it.
     *
     * @param walk of a cycle file the walk found whole.
     * @return what does not agree, or null if all does.
     */
    String indexMismatch(final JournalSalvage.CycleWalk walk) {
        final int n = walk.documents();
        if (n == 0) {
            return null;
        }
        try (ExcerptTailer tailer = queue.createTailer()) {
            final int cycle = cycleOf(rollCycle, walk.file().getFileName().toString());
            final String last = foundAt(tailer, rollCycle.toIndex(cycle, n - 1), walk.positions()[n - 1]);
            if (last != null) {
                return last;
            }
            final String first = foundAt(tailer, rollCycle.toIndex(cycle, 0), walk.positions()[0]);
            if (first != null) {
                return first;
            }
            for (int i = 1; i <= n; i++) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    final boolean present = dc.isPresent() && rollCycle.toCycle(dc.index()) == cycle;
                    if (i < n && (!present || dc.index() != rollCycle.toIndex(cycle, i)
                        || dc.wire().bytes().readPosition() != walk.positions()[i] + 4)) {
                        return "Chronicle does not read document " + i + " where it is, at offset "
                            + walk.positions()[i];
                    }
                    if (i == n && present) {
                        return "Chronicle reads a document after its last, at index " + Long.toHexString(dc.index());
                    }
                }
            }
            if (cycle == queue.lastCycle() && queue.lastIndex() != rollCycle.toIndex(cycle, n - 1)) {
                return "Chronicle's last index " + Long.toHexString(queue.lastIndex()) + " is not that of its last "
                    + "document, " + Long.toHexString(rollCycle.toIndex(cycle, n - 1));
            }
            return null;
        } catch (final RuntimeException e) {
            return "Chronicle cannot read it (" + e + ")";
        }
    }

    private static String foundAt(final ExcerptTailer tailer, final long index, final long position) {
        if (!tailer.moveToIndex(index)) {
            return "Chronicle's index does not find document " + Long.toHexString(index);
        }
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent() || dc.index() != index || dc.wire().bytes().readPosition() != position + 4) {
                return "Chronicle's index finds document " + Long.toHexString(index) + " elsewhere than at offset "
                    + position;
            }
        }
        return null;
    }

    @Override
    public void close() {
        queue.close();
    }

    private static java.lang.reflect.Method writeLockMethod() {
        try {
            final java.lang.reflect.Method m = SingleChronicleQueue.class.getDeclaredMethod("writeLock");
            m.setAccessible(true);
            return m;
        } catch (final NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Told of each event, sample or price record in turn; the slot is reused.
     */
    @FunctionalInterface
    public interface RecordVisitor {
        void onRecord(EventSlot slot);

        /**
         * Told of a record by a reader that lets the visitor keep the slot (recovery's {@link ReplayHandOff}).
         *
         * @param slot the record.
         * @return the slot the reader decodes the next record into: by default this one, reused.
         */
        default EventSlot handOff(final EventSlot slot) {
            onRecord(slot);
            return slot;
        }
    }

    public static Path journalDirectory(final Path dataDirectory) {
        final Path dir = dataDirectory.resolve("journal");
        try {
            Files.createDirectories(dir);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create the journal directory " + dir, e);
        }
        return dir;
    }
}
