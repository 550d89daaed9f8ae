package dev.ringmeter.core.journal;

import com.lmax.disruptor.EventHandler;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.cost.PriceBook;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.EpochClock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The first consumer of the ring when the store has a data directory: stamps undated events, prices events that
 * carry no cost (as the one writer of the store's {@link PriceBook}), and writes each slot to the {@link Journal}
 * (preceded by a dictionary entry for each id it is the first in the journal cycle to use, or that was given to
 * another value since it was last journaled, so that every cycle decodes on its own from its start; when a
 * document closed to make room opens the next in a later cycle, the slot's entries are written again there). The
 * records of one Disruptor batch share one
 * Chronicle document, closed at the end of the batch with a checksum record of its bytes (so a damaged document is
 * found and left out, never decoded into events no one recorded), and the per-document cost (header, index, lock,
 * checksum) is paid once per batch; a document is closed early, before the record that would take it past
 * {@value #MAX_RECORDS_PER_DOCUMENT} records or past {@link #documentBudgetBytes(long)} (an eighth of a block,
 * well under Chronicle's largest document, a quarter of a block), so a batch of many new long strings never
 * makes a document Chronicle does not promise to take.
 * Each slot carries its document's index, and the slot that closes a document says so, for the aggregate handler's
 * snapshots. With {@link dev.ringmeter.core.privacy.Sampling} the handler writes 1 in N ordinary events (as records
 * of kind 12 carrying their weight N) and every error and slow one; an event it leaves out is not written but still
 * passes to the aggregate handler, which counts it: it is acknowledged like the others, held by the aggregates and
 * the next snapshot only (docs/reliability.md). An event counts as acknowledged once this handler's sequence has passed it, which happens only after
 * its document is closed: a crash in the middle of a document loses only unacknowledged events.
 * <p>
 * <b>A failed write</b> (a full disk, where Chronicle's write to its mapped file throws {@link InternalError}; a
 * read-only file system; a cycle file that cannot be created) rolls back the open document and is kept as
 * {@link #failure()}: while it is set the store refuses new events and every {@code flush()} returns false, so
 * nothing is acknowledged that was not written. The handler does not move on: it writes the rolled-back document's
 * slots and the failing one again, waiting between tries ({@value #FIRST_RETRY_MS} ms, doubling up to
 * {@value #MAX_RETRY_MS} ms), so the slots already in the ring wait there, unseen by the aggregate handler, and the
 * first try that succeeds clears the failure: writes resume by themselves once the disk has room again. Only
 * {@link #abandonOnFailure()} (the store closing) ends the retries: the slots not written are then made void, so
 * the aggregates never hold an event the journal does not.
 * <p>
 * Threading: called only by its own Disruptor consumer thread, which owns the queue's appender; allocates nothing
 * in steady state. {@link #failure()} and {@link #abandonOnFailure()}: any thread; {@link #abandoned()} once the consumers stopped.
 */
public final class JournalHandler implements EventHandler<EventSlot> {
    private static final System.Logger LOG = System.getLogger(JournalHandler.class.getName());
    /** At most this many records share one Chronicle document (about 64 KB of events). */
    static final int MAX_RECORDS_PER_DOCUMENT = 512;
    /**
     * A document is closed before a record could take it past its block size divided by this: Chronicle refuses a
     * document longer than a quarter of a block (its overlap size), and long new strings can make records large.
     */
    private static final int BLOCK_BYTES_PER_DOCUMENT_BYTE = 8;
    /** Chronicle's largest document: a quarter of a block. */
    private static final int CHRONICLE_BLOCK_BYTES_PER_DOCUMENT_BYTE = 4;
    /** The wait before the first retry of a failed write, then doubled up to {@link #MAX_RETRY_MS}. */
    static final long FIRST_RETRY_MS = 10;
    static final long MAX_RETRY_MS = 1_000;

    private final Journal journal;
    private final Dictionary dictionary;
    private final EpochClock clock;
    private final PriceBook prices;
    private final boolean sync;
    private final dev.ringmeter.core.privacy.Sampler sampler;
    /** Events left out of the journal by the sampler; written by this handler's thread only, read by any. */
    private final java.util.concurrent.atomic.AtomicLong sampledOut = new java.util.concurrent.atomic.AtomicLong();
    private final long documentBudgetBytes;
    /** By dimension and id: the cycle an id's dictionary entry was last journaled in, and the name it had. */
    private final int[][] journaledCycle = new int[Dimension.VALUES.length][];
    private final String[][] journaledName = new String[Dimension.VALUES.length][];
    private int documentCycle;
    /**
     * The slots of the open document, in order: the first {@link #written} have their record in it, the rest wait
     * to be written (the slot being handled, and after a rollback every slot of the rolled-back document).
     */
    private final EventSlot[] documentSlots = new EventSlot[MAX_RECORDS_PER_DOCUMENT + 1];
    private int slotCount;
    private int written;
    private ExcerptAppender appender;
    private DocumentContext document;
    private Bytes<?> bytes;
    private long documentIndex;
    private long documentStart;
    private int inDocument;
    private long batchTimeMs;
    private boolean inBatch;
    private volatile Throwable failure;
    private volatile boolean abandon;
    private long failedAtNs;
    private long retries;
    private long abandoned;

    /**
     * @param journal    to write to.
     * @param dictionary whose entries are journaled before first use.
     * @param clock      to stamp undated events.
     * @param prices     the store's price book, as recovered; this handler is its writer from now on.
     * @param sync       whether to msync at the end of every batch.
     */
    public JournalHandler(final Journal journal, final Dictionary dictionary, final EpochClock clock,
                   final PriceBook prices, final boolean sync) {
        this(journal, dictionary, clock, prices, sync, dev.ringmeter.core.privacy.Sampling.NONE);
    }

    /**
     * @param journal    to write to.
     * @param dictionary whose entries are journaled before first use.
     * @param clock      to stamp undated events.
     * @param prices     the store's price book, as recovered; this handler is its writer from now on.
     * @param sync       whether to msync at the end of every batch.
     * @param sampling   which events the journal keeps: one left out is still applied to the aggregates.
     */
    public JournalHandler(final Journal journal, final Dictionary dictionary, final EpochClock clock,
                   final PriceBook prices, final boolean sync, final dev.ringmeter.core.privacy.Sampling sampling) {
        this.sampler = new dev.ringmeter.core.privacy.Sampler(sampling, dictionary);
        this.journal = journal;
        this.dictionary = dictionary;
        this.clock = clock;
        this.prices = prices;
        this.sync = sync;
        this.documentBudgetBytes = documentBudgetBytes(journal.blockBytes());
        for (final Dimension d : Dimension.VALUES) {
            journaledCycle[d.ordinal()] = new int[16];
            journaledName[d.ordinal()] = new String[16];
        }
    }

    @Override
    public void onStart() {
        appender = journal.queue().createAppender();
    }

    @Override
    public void onShutdown() {
        if (document != null) {
            try {
                JournalDescriptor.writeChecksum(bytes, documentStart);
                document.close();
            } catch (final Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "could not close the journal's open document at shutdown", t);
            }
            document = null;
        }
        if (appender != null) {
            appender.close();
        }
    }

    /**
     * @return the failure that keeps the journal from writing now, or null while it writes: its message says why in
     * words for an operator (naming the journal's directory), its cause is what the write threw.
     */
    public Throwable failure() {
        return failure;
    }

    /**
     * Makes a journal that cannot write give up its retries: the slots it could not write, and every later one, are
     * made void and skipped, so the ring drains and the store can close. Called by the closing thread; a journal that
     * writes is not affected.
     */
    public void abandonOnFailure() {
        abandon = true;
    }

    @Override
    public void onEvent(final EventSlot slot, final long sequence, final boolean endOfBatch) {
        if (!inBatch) {
            inBatch = true;
            batchTimeMs = clock.time();
        }
        slot.endsDocument = false;
        try {
            if (abandon && failure != null) {
                if (slot.kind != EventSlot.KIND_VOID) {
                    slot.kind = EventSlot.KIND_VOID;
                    abandoned++;
                }
                return;
            }
            if (slot.kind == EventSlot.KIND_EVENT) {
                slot.weight = sampler.weight(slot);   // 0: sampled out, applied to the aggregates only
                if (slot.weight == 0) {
                    sampledOut.lazySet(sampledOut.get() + 1);   // one writer: this thread
                }
            }
            if (slot.kind != EventSlot.KIND_VOID && slot.kind != EventSlot.KIND_COST_CHANGE   // changes: in memory
                && (slot.kind != EventSlot.KIND_EVENT || slot.weight != 0)) {
                documentSlots[slotCount++] = slot;
            }
            long waitMs = FIRST_RETRY_MS;
            while (!attempt(endOfBatch)) {
                if (abandon) {
                    abandonDocument();
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(waitMs));
                waitMs = Math.min(2 * waitMs, MAX_RETRY_MS);
                retries++;
            }
        } finally {
            if (endOfBatch) {
                inBatch = false;
            }
        }
    }

    /**
     * Writes every slot of the document not yet written and, at the end of a batch, commits the document (and
     * syncs). On a failure, rolls the open document back (its slots wait to be written again) and keeps the failure.
     *
     * @return whether it all went through.
     */
    private boolean attempt(final boolean endOfBatch) {
        try {
            if (appender == null) {
                appender = journal.queue().createAppender();
            }
            while (written < slotCount) {
                writeRecords(documentSlots[written]);
            }
            if (endOfBatch && document != null) {
                closeDocument();
                if (sync) {
                    appender.sync();
                }
            }
            if (failure != null) {
                recovered();
            }
        } catch (final Throwable t) {
            rollback();
            failed(t);
            return false;
        }
        return true;
    }

    /** Writes a slot's new dictionary entries and the slot itself into the open document (opening it as needed). */
    private void writeRecords(final EventSlot slot) {
        if (slot.timestampMs == 0) {
            slot.timestampMs = batchTimeMs;
        }
        if (slot.kind == EventSlot.KIND_RECOMPUTE && document != null && inDocument > 0) {
            closeDocument();   // a recompute covers exactly the documents before its own
        }
        int cycle;
        do {
            room(0);
            cycle = documentCycle;
            prepare(slot);
            room(slot.kind == EventSlot.KIND_RUN ? JournalDescriptor.runMaxLength(slot.runCommand.runId().length())
                : slot.kind == EventSlot.KIND_ANOMALY ? JournalDescriptor.anomalyMaxLength(slot.anomaly)
                : slot.kind == EventSlot.KIND_ALERT ? 2 + 8 + 4 + slot.alertBytes.length
                : JournalDescriptor.SLOT_MAX_LENGTH);
        } while (documentCycle != cycle);   // a document opened in a later cycle holds the slot's entries too
        JournalDescriptor.write(slot, bytes);
        inDocument++;
        slot.journalIndex = documentIndex;
        written++;
    }

    /**
     * Makes sure the open document can take one more record of at most this many bytes: closes it first if the
     * record could take it past {@link #MAX_RECORDS_PER_DOCUMENT} records or the byte budget, and opens a document
     * if none is open. A record longer than the budget is so written alone in its document, which Chronicle takes
     * ({@link #smallestBlockBytes(int)}).
     */
    private void room(final long recordBytes) {
        if (document != null && (inDocument >= MAX_RECORDS_PER_DOCUMENT
            || bytes.writePosition() - documentStart + recordBytes > documentBudgetBytes)) {
            closeDocument();
        }
        if (document == null) {
            document = appender.writingDocument();
            bytes = document.wire().bytes();
            documentIndex = document.index();
            documentCycle = journal.rollCycle().toCycle(documentIndex);
            documentStart = bytes.writePosition();
            inDocument = 0;
        }
    }

    /**
     * Commits the open document and marks the slot whose record ends it. That slot may be an earlier one of the
     * batch (a document closed to make room): the aggregate handler has not read it yet, as this handler's sequence
     * passes a batch only once the whole batch is handled. Slots still to be written move to the front.
     */
    private void closeDocument() {
        JournalDescriptor.writeChecksum(bytes, documentStart);
        surfaceWriteFault();
        final DocumentContext d = document;
        document = null;
        try {
            d.close();
        } catch (final RuntimeException | Error e) {
            if (!committed()) {
                document = d;   // not in the journal: rolled back with the rest
                throw e;
            }
            LOG.log(System.Logger.Level.WARNING, "journal document " + Long.toHexString(documentIndex)
                + " was committed, but closing it failed", e);
        }
        if (written > 0) {
            documentSlots[written - 1].endsDocument = true;
        }
        final int waiting = slotCount - written;
        System.arraycopy(documentSlots, written, documentSlots, 0, waiting);
        slotCount = waiting;
        written = 0;
    }

    /**
     * A write to a page of the mapped file that the file system cannot back (a full tmpfs or disk) faults, and
     * HotSpot raises the {@link InternalError} at the thread's next transition out of compiled code, not at the
     * write itself. A call into the VM is such a transition: the error of a record written into the open document
     * surfaces here, before the document is committed, and the document is rolled back instead.
     */
    private void surfaceWriteFault() {
        if (Thread.holdsLock(this)) {
            throw new IllegalStateException("the journal handler is never locked");
        }
    }

    /** @return whether the document being closed made it into the journal (its header written) despite a failure. */
    private boolean committed() {
        try {
            return appender.lastIndexAppended() == documentIndex;
        } catch (final RuntimeException e) {
            return false;   // nothing appended yet
        }
    }

    /**
     * Drops the open document, if any (its slots wait to be written again, its dictionary entries too), and the
     * appender: one whose write failed half-way (a cycle file it could not create, a fault in its mapped file) may
     * hold a cycle, a position or the queue's write lock it should not, so the next try starts from a new one.
     */
    private void rollback() {
        if (document != null) {
            final DocumentContext d = document;
            document = null;
            try {
                d.rollbackOnClose();
                d.close();   // releases the write lock whatever the rollback meets
            } catch (final Throwable ignored) {
                // the write's own failure is what is reported; the next try opens a new document
            }
        } else if (appender != null) {
            journal.releaseWriteLockAfterFailedOpen();
        }
        for (final String[] names : journaledName) {
            java.util.Arrays.fill(names, null);   // the entries of the rolled-back document: journaled again
        }
        written = 0;
        if (appender != null) {
            try {
                appender.close();
            } catch (final Throwable ignored) {
                // it is replaced either way
            }
            appender = null;
        }
    }

    /** Gives up the slots not written: void, so that no later consumer applies them. */
    private void abandonDocument() {
        for (int i = 0; i < slotCount; i++) {
            documentSlots[i].kind = EventSlot.KIND_VOID;
            documentSlots[i] = null;
        }
        abandoned += slotCount;
        slotCount = 0;
        written = 0;
    }

    private void failed(final Throwable t) {
        if (failure == null) {
            failedAtNs = System.nanoTime();
            retries = 0;
            failure = new IllegalStateException(reason(t), t);
            LOG.log(System.Logger.Level.ERROR, "the journal cannot write (" + reason(t) + "); events are refused "
                + "and the write is retried until it succeeds", t);
        }
    }

    private void recovered() {
        LOG.log(System.Logger.Level.WARNING, "the journal writes again after " + (System.nanoTime() - failedAtNs)
            / 1_000_000 + " ms and " + retries + " retries");
        failure = null;
    }

    /**
     * @return what an operator reads of a write failure: Chronicle writes through a mapped file, so a full disk is
     * an {@link InternalError} of an unsafe memory access, not an {@code IOException} naming the disk.
     */
    private String reason(final Throwable t) {
        final String message = t instanceof InternalError
            ? "a write to the memory-mapped journal file failed; is the disk full? (" + t.getMessage() + ")"
            : t.getClass().getSimpleName() + ": " + t.getMessage();
        return "journal in " + journal.directory() + ": " + message;
    }

    /** @return events the sampler left out of the journal since the store opened; any thread. */
    public long sampledOut() {
        return sampledOut.get();
    }

    /**
     * @return slots given up because the journal could not write them when the store closed; read once the
     * consumers have stopped.
     */
    public long abandoned() {
        return abandoned;
    }

    /**
     * @param blockBytes the journal's block size.
     * @return the most bytes a journal document is let grow to before it is closed, well under Chronicle's largest
     * document (a quarter of a block).
     */
    public static long documentBudgetBytes(final long blockBytes) {
        return blockBytes / BLOCK_BYTES_PER_DOCUMENT_BYTE;
    }

    /**
     * @param maxStringLength the longest dictionary value, chars.
     * @return the smallest block size in which the longest record (a DICT record of a string of this length, or an
     * event with every score and tag) fits in a document of its own: Chronicle's largest document is a quarter of a
     * block. (A record longer than the budget is written alone in its document.) {@link StoreConfig#conclude()}
     * checks it.
     */
    public static long smallestBlockBytes(final int maxStringLength) {
        final long commands = Math.max(Math.max(JournalDescriptor.runMaxLength(maxStringLength),
            JournalDescriptor.anomalyMaxLength(maxStringLength)), JournalDescriptor.ALERT_MAX_LENGTH);
        return CHRONICLE_BLOCK_BYTES_PER_DOCUMENT_BYTE * (Math.max(Math.max(JournalDescriptor.SLOT_MAX_LENGTH, commands),
            JournalDescriptor.dictionaryEntryMaxLength(maxStringLength)) + JournalDescriptor.CHECK_LENGTH);
    }

    /** Journals the slot's new dictionary ids and gives an event its effective cost. */
    private void prepare(final EventSlot slot) {
        switch (slot.kind) {
            case EventSlot.KIND_EVENT:
                prices.stamp(slot);
                ensure(Dimension.MODEL, slot.model);
                ensure(Dimension.OPERATION, slot.operation);
                ensure(Dimension.PIPELINE, slot.pipeline);
                ensure(Dimension.STEP, slot.step);
                ensure(Dimension.RUN, slot.run);
                ensure(Dimension.TASK, slot.task);
                ensure(Dimension.CONFIG, slot.config);
                ensure(Dimension.ERROR_TYPE, slot.errorType);
                ensure(Dimension.PROVIDER, slot.provider);
                ensure(Dimension.TOOL, slot.tool);
                ensure(Dimension.AGENT, slot.agent);
                for (int i = 0; i < slot.qualityCount; i++) {
                    ensure(Dimension.QUALITY_NAME, slot.qualityNames[i]);
                }
                ensureTags(slot);
                break;
            case EventSlot.KIND_METRIC:
                ensure(Dimension.METRIC_NAME, slot.metricName);
                ensureTags(slot);
                break;
            case EventSlot.KIND_PRICE:
                ensure(Dimension.MODEL, slot.model);
                prices.stamp(slot);
                break;
            case EventSlot.KIND_PRICE_ENTRY:
            case EventSlot.KIND_RECOMPUTE:
                prices.stamp(slot);
                break;
            default:
                break;
        }
    }

    private void ensureTags(final EventSlot slot) {
        for (int i = 0; i < slot.tagCount; i++) {
            ensure(Dimension.TAG_KEY, slot.tagKeys[i]);
            ensure(Dimension.TAG_VALUE, slot.tagValues[i]);
        }
    }

    /**
     * Journals the id's dictionary entry unless the open document's cycle already has it with the same name (the
     * same reference: an id reused for another value has another string).
     */
    private void ensure(final Dimension dimension, final int id) {
        if (id == 0) {
            return;
        }
        final int d = dimension.ordinal();
        final String name = dictionary.name(dimension, id);
        int[] cycles = journaledCycle[d];
        if (id >= cycles.length) {
            final int length = Math.max(id + 1, cycles.length * 2);
            cycles = java.util.Arrays.copyOf(cycles, length);
            journaledCycle[d] = cycles;
            journaledName[d] = java.util.Arrays.copyOf(journaledName[d], length);
        }
        final String[] names = journaledName[d];
        if (names[id] != name || cycles[id] != documentCycle) {
            room(JournalDescriptor.dictionaryEntryMaxLength(name.length()));
            JournalDescriptor.writeDictionaryEntry(dimension, id, name, bytes);
            inDocument++;
            cycles[id] = documentCycle;
            names[id] = name;
        }
    }
}
