package dev.ringmeter.core.journal;

import com.lmax.disruptor.EventHandler;
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
 * (preceded by a dictionary entry for each id it is the first in the journal cycle to use, or that was given to
 * another value since it was last journaled, so that every cycle decodes on its own from its start). The records of one Disruptor batch (up to
 * {@value #MAX_RECORDS_PER_DOCUMENT}) share one Chronicle document, closed at the end of the batch, so the
 * per-document cost (header, index, lock) is paid once per batch.
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

    private final Journal journal;
    private final Dictionary dictionary;
    private final EpochClock clock;
    private final PriceTable prices;
    private final boolean sync;
    /** By dimension and id: the cycle an id's dictionary entry was last journaled in, and the name it had. */
    private final int[][] journaledCycle = new int[Dimension.VALUES.length][];
    private final String[][] journaledName = new String[Dimension.VALUES.length][];
    private int documentCycle;
    private ExcerptAppender appender;
    private DocumentContext document;
    private Bytes<?> bytes;
    private long documentIndex;
    private int inDocument;
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
                if (document == null) {
                    document = appender.writingDocument();
                    bytes = document.wire().bytes();
                    documentIndex = document.index();
                    documentCycle = journal.rollCycle().toCycle(documentIndex);
                    inDocument = 0;
                }
                prepare(slot);
                JournalDescriptor.write(slot, bytes);
                inDocument++;
                slot.journalIndex = documentIndex;
            }
            if (document != null && (endOfBatch || inDocument >= MAX_RECORDS_PER_DOCUMENT)) {
                document.close();
                document = null;
                slot.journalIndex = documentIndex;
                slot.endsDocument = true;
                if (endOfBatch && sync) {
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

    private void fail(final Throwable t) {
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

    /**
     * Journals the id's dictionary entry unless this cycle already has it with the same name (the same reference:
     * an id reused for another value has another string).
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
            JournalDescriptor.writeDictionaryEntry(dimension, id, name, bytes);
            cycles[id] = documentCycle;
            names[id] = name;
        }
    }
}
