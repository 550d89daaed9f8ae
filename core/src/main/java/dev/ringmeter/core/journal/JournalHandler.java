package dev.ringmeter.core.journal;

import com.lmax.disruptor.EventHandler;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.aggregate.PriceTable;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.EpochClock;

/**
 * The first consumer of the ring when the store has a data directory: stamps undated events, prices events that
 * carry no cost (as the one writer of the store's {@link PriceTable}), and writes each slot to the {@link Journal}
 * (preceded by any dictionary entries it is the first to use). The records of one Disruptor batch share one
 * Chronicle document, closed at the end of the batch, so the per-document cost (header, index, lock) is paid once
 * per batch; a document is closed early, before the record that would take it past
 * {@value #MAX_RECORDS_PER_DOCUMENT} records or past {@link #documentBudgetBytes(long)} (an eighth of a block,
 * well under Chronicle's largest document, a quarter of a block), so a batch of many new long strings never
 * makes a document Chronicle does not promise to take.
 * Each slot carries its document's index, and the slot that closes a document says so, for the aggregate handler's
 * snapshots. An event counts as acknowledged once this handler's sequence has passed it, which happens only after
 * its document is closed: a crash in the middle of a document loses only unacknowledged events.
 * <p>
 * If a write fails (disk full, read-only file system, ...) the handler records the failure, and the store then
 * refuses new events and reports every {@code flush()} as failed: nothing is acknowledged that was not written.
 * <p>
 * Threading: called only by its own Disruptor consumer thread, which owns the queue's appender; allocates nothing
 * in steady state.
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

    private final Journal journal;
    private final Dictionary dictionary;
    private final EpochClock clock;
    private final PriceTable prices;
    private final boolean sync;
    private final long documentBudgetBytes;
    private final int[] journaledIds = new int[Dimension.VALUES.length];
    private ExcerptAppender appender;
    private DocumentContext document;
    private Bytes<?> bytes;
    private long documentIndex;
    private long documentStart;
    private int inDocument;
    /** The slot whose record is the last one in the open document, or null: marked when the document closes. */
    private EventSlot lastSlotInDocument;
    private long batchTimeMs;
    private boolean inBatch;
    private volatile Throwable failure;

    /**
     * @param journal    to write to.
     * @param dictionary whose entries are journaled before first use.
     * @param clock      to stamp undated events.
     * @param prices     the store's one price table, as recovered; this handler is its writer from now on.
     * @param sync       whether to msync at the end of every batch.
     */
    public JournalHandler(final Journal journal, final Dictionary dictionary, final EpochClock clock,
                   final PriceTable prices, final boolean sync) {
        this.journal = journal;
        this.dictionary = dictionary;
        this.clock = clock;
        this.prices = prices;
        this.sync = sync;
        this.documentBudgetBytes = documentBudgetBytes(journal.blockBytes());
        for (final Dimension d : Dimension.VALUES) {
            journaledIds[d.ordinal()] = dictionary.size(d);
        }
    }

    @Override
    public void onStart() {
        appender = journal.queue().createAppender();
    }

    @Override
    public void onShutdown() {
        if (document != null) {
            document.close();
            document = null;
        }
        if (appender != null) {
            appender.close();
        }
    }

    /**
     * @return the failure that stopped journaling, or null.
     */
    public Throwable failure() {
        return failure;
    }

    @Override
    public void onEvent(final EventSlot slot, final long sequence, final boolean endOfBatch) {
        if (!inBatch) {
            inBatch = true;
            batchTimeMs = clock.time();
        }
        slot.endsDocument = false;
        try {
            if (slot.kind != EventSlot.KIND_VOID && failure == null) {
                if (slot.timestampMs == 0) {
                    slot.timestampMs = batchTimeMs;
                }
                prepare(slot);
                room(JournalDescriptor.SLOT_MAX_LENGTH);
                JournalDescriptor.write(slot, bytes);
                inDocument++;
                slot.journalIndex = documentIndex;
                lastSlotInDocument = slot;
            }
            if (document != null && endOfBatch) {
                closeDocument();
                if (sync) {
                    appender.sync();
                }
            }
        } catch (final Throwable t) {
            fail(t);
        } finally {
            if (endOfBatch) {
                inBatch = false;
            }
        }
    }

    /**
     * Makes sure the open document can take one more record of at most this many bytes: closes it first if the
     * record could take it past {@link #MAX_RECORDS_PER_DOCUMENT} records or the byte budget, and opens a document
     * if none is open.
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
            documentStart = bytes.writePosition();
            inDocument = 0;
        }
    }

    /**
     * Commits the open document and marks the slot whose record ends it. That slot may be an earlier one of the
     * batch (a document closed to make room): the aggregate handler has not read it yet, as this handler's sequence
     * passes a batch only once the whole batch is handled.
     */
    private void closeDocument() {
        document.close();
        document = null;
        if (lastSlotInDocument != null) {
            lastSlotInDocument.endsDocument = true;
            lastSlotInDocument = null;
        }
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
     * @return the smallest block size whose document budget holds the longest record (a DICT record of a string of
     * this length, or an event with every score and tag); {@link StoreConfig#conclude()} checks it.
     */
    public static long smallestBlockBytes(final int maxStringLength) {
        return BLOCK_BYTES_PER_DOCUMENT_BYTE * Math.max(JournalDescriptor.SLOT_MAX_LENGTH,
            JournalDescriptor.dictionaryEntryMaxLength(maxStringLength));
    }

    private void fail(final Throwable t) {
        lastSlotInDocument = null;
        if (document != null) {
            try {
                document.rollbackOnClose();
                document.close();
            } catch (final Throwable ignored) {
                // the failure below is what is reported
            }
            document = null;
        }
        if (failure == null) {
            failure = t;
            LOG.log(System.Logger.Level.ERROR, "journal write failed; the store no longer acknowledges events", t);
        }
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

    private void ensure(final Dimension dimension, final int id) {
        final int d = dimension.ordinal();
        while (journaledIds[d] < id) {
            final int next = journaledIds[d] + 1;
            final String name = dictionary.name(dimension, next);
            room(JournalDescriptor.dictionaryEntryMaxLength(name.length()));
            JournalDescriptor.writeDictionaryEntry(dimension, next, name, bytes);
            inDocument++;
            journaledIds[d] = next;
        }
    }
}
