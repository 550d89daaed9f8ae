package dev.ringmeter.core.journal;

import dev.ringmeter.Event;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Journal documents are bounded by bytes: a batch whose records bring many new long strings is spread over several
 * documents instead of passing Chronicle's largest document (a quarter of a block, its documented limit). Drives
 * the real journal handler over a real Chronicle Queue, one batch of slots as the ring would hand it over.
 */
@Timeout(60)
class JournalDocumentBoundTest {
    private static final long T0 = 1_760_000_400_000L;
    private static final int EVENTS = JournalHandler.MAX_RECORDS_PER_DOCUMENT;
    private static final int CHARS = 256;

    @TempDir
    Path dir;

    @Test
    void shouldJournalABatchOfNewLongStringsAtTheDefaultsInSeveralDocuments() {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        // the defaults, but for model, pipeline and step limits that hold one value per event whatever this JVM's heap
        final StoreConfig config = new StoreConfig().dataDirectory(dir).clock(clock)
            .cardinalityLimit(Dimension.MODEL, EVENTS).cardinalityLimit(Dimension.PIPELINE, EVENTS)
            .cardinalityLimit(Dimension.STEP, EVENTS).conclude();
        final Dictionary dictionary = new Dictionary(config.cardinalityLimits(), config.maxStringLength());
        final Aggregates aggregates = new Aggregates(config, dictionary);
        final Journal journal = new Journal(Journal.journalDirectory(dir), config);
        // built at open, as the store does: it journals every id the dictionary gives out from now on
        final JournalHandler handler = new JournalHandler(journal, dictionary, clock, aggregates.prices(), false);
        final List<EventSlot> slots = new ArrayList<>();
        final Event e = new Event();
        for (int i = 0; i < EVENTS; i++) {
            // eleven new strings of 256 three-byte characters: about 8.5 KB of DICT records per event
            e.reset().model(name(i, 0)).pipeline(name(i, 1)).step(name(i, 2)).run(name(i, 3)).task(name(i, 4))
                .config(name(i, 5)).errorType(name(i, 6)).latencyMs(1).timestampMs(T0 + i);
            for (int t = 0; t < Event.MAX_TAGS; t++) {
                e.tag("k" + t, name(i, 7 + t));
            }
            final EventSlot slot = new EventSlot();
            slot.fill(e, dictionary);
            slots.add(slot);
        }
        try (journal) {
            handler.onStart();
            for (int i = 0; i < EVENTS; i++) {
                handler.onEvent(slots.get(i), i, i == EVENTS - 1);
            }
            handler.onShutdown();
            assertNull(handler.failure(), "the batch is journaled");
        }
        assertTrue(slots.get(EVENTS - 1).endsDocument, "the batch's last slot ends a document");

        try (Journal reopened = new Journal(Journal.journalDirectory(dir), config)) {   // as a restart reads it
            int documents = 0;
            try (ExcerptTailer tailer = reopened.queue().createTailer()) {
                while (true) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (!dc.isPresent()) {
                            break;
                        }
                        documents++;
                        assertTrue(dc.wire().bytes().readRemaining() <= config.journalBlockBytes() / 4,
                            "Chronicle's largest document is a quarter of a block; this one has "
                                + dc.wire().bytes().readRemaining() + " bytes");
                    }
                }
            }
            assertEquals(slots.stream().filter(s -> s.endsDocument).count(), documents,
                "each document's last slot is marked as ending it");
            final Dictionary replayed = new Dictionary(config.cardinalityLimits(), config.maxStringLength());
            final List<String> models = new ArrayList<>();
            final long[] read = reopened.replay(-1, s -> models.add(replayed.name(Dimension.MODEL, s.model)),
                replayed);
            assertEquals(EVENTS, models.size(), "every event is in the journal");
            assertEquals(EVENTS * 12L + Event.MAX_TAGS, read[0], "every event, its eleven DICT records, the tag keys");
            for (int i = 0; i < EVENTS; i++) {
                assertEquals(name(i, 0), models.get(i));
                assertEquals(name(i, 10), replayed.name(Dimension.TAG_VALUE, slots.get(i).tagValues[3]));
            }
        }
    }

    @Test
    void shouldRefuseAStringLengthWhoseRecordCannotFitInADocumentOfTheBlockSize() {
        final StoreConfig config = new StoreConfig().maxStringLength(65_536).journalBlockBytes(512 << 10);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, config::conclude);
        assertTrue(e.getMessage().contains("maxStringLength 65536 needs journalBlockBytes of at least"),
            e.getMessage());
        new StoreConfig().maxStringLength(65_536).journalBlockBytes(1 << 20).conclude();   // 1 MiB blocks hold it
    }

    /** A distinct string of {@value #CHARS} characters of three UTF-8 bytes each. */
    private static String name(final int event, final int field) {
        final StringBuilder b = new StringBuilder(CHARS);
        b.append((char)(0x4E00 + event * 16 + field));
        while (b.length() < CHARS) {
            b.append('\u20AC');
        }
        return b.toString();
    }
}
