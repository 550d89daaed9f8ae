package dev.ringmeter.core.journal;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import dev.ringmeter.core.query.WindowStats;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retained journal alone decodes every retained record, and a record it cannot decode stops the store from
 * opening rather than being guessed at.
 */
@Timeout(60)
class SelfSufficientJournalTest {
    /** 2026-01-01T00:00Z, the start of an hourly cycle. */
    private static final long H0 = 1_767_225_600_000L;
    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private StoreConfig config() {
        return new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(128 << 10)
            .journalRetentionMs(HOUR);
    }

    private static void record(final EmbeddedStore store, final String model, final String run, final long timeMs,
                               final int n) throws InterruptedException {
        final Event e = new Event();
        for (int i = 0; i < n; i++) {
            store.record(e.reset().model(model).run(run).timestampMs(timeMs + i).latencyMs(10 + i));
        }
        assertTrue(store.flush(10, TimeUnit.SECONDS), () -> "not flushed in 10 s; journal failure: "
            + store.journalFailure() + "; " + store.stats());
    }

    private List<String> cycleFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("journal"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted()
                .collect(Collectors.toList());
        }
    }

    @Test
    void namesEveryEventRightWithoutTheSnapshotOnceRetentionDeletedTheFirstUse() throws Exception {
        clock.update(H0 + 1_000);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            record(store, "m", "r-a", H0 + 1_000, 3);
        }
        clock.update(H0 + 2 * HOUR + 1_000);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            record(store, "m", "r-a", H0 + 2 * HOUR + 1_000, 2);
        }
        clock.update(H0 + 2 * HOUR + 2_000);
        EmbeddedStore.open(config()).close();
        assertEquals(List.of("20260101-02F.cq4"), cycleFiles(), "retention deleted the first hour");
        Files.delete(dir.resolve(Snapshot.FILE));

        clock.update(H0 + 2 * HOUR + 3_000);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertFalse(store.recovery().snapshotLoaded());
            record(store, "n", "r-c", H0 + 2 * HOUR + 3_000, 1);
            final WindowStats stats = new WindowStats();
            final long from = H0 + 2 * HOUR;
            assertEquals(2, store.aggregates().window("m", from, from + 10_000, stats).count());
            assertEquals(1, store.aggregates().window("n", from, from + 10_000, stats).count());
            assertEquals(List.of("m", "n"), store.aggregates().models());
            final Map<String, WindowStats> byRun = new JournalScan(store).between(from, from + HOUR)
                .groupBy(JournalScan.GroupBy.RUN).run();
            assertEquals(Map.of("r-a", 2L, "r-c", 1L), counts(byRun));
            assertEquals("r-c", store.aggregates().recent("n", 1).get(0).run());
            assertEquals("r-a", store.aggregates().recent("m", 1).get(0).run());
        }
    }

    static Map<String, Long> counts(final Map<String, WindowStats> groups) {
        return groups.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, g -> g.getValue().count()));
    }

    /** Writes one document by hand: a DICT record for model 1 "m", events with the given ids, and its checksum. */
    private void writeJournal(final int[] models, final int[] runs) {
        try (Journal journal = new Journal(Journal.journalDirectory(dir), config());
             ExcerptAppender appender = journal.queue().createAppender()) {
            try (DocumentContext dc = appender.writingDocument()) {
                final Bytes<?> bytes = dc.wire().bytes();
                final long start = bytes.writePosition();
                JournalDescriptor.writeDictionaryEntry(Dimension.MODEL, 1, "m", bytes);
                final EventSlot slot = new EventSlot();
                for (int i = 0; i < models.length; i++) {
                    slot.kind = EventSlot.KIND_EVENT;
                    slot.timestampMs = H0 + 1_000 + i;
                    slot.model = models[i];
                    slot.run = runs[i];
                    slot.latencyNs = 1_000_000;
                    slot.ttftNs = Event.NONE;
                    slot.queueWaitNs = Event.NONE;
                    slot.promptTokens = Event.NONE;
                    slot.completionTokens = Event.NONE;
                    slot.memoryBytes = Event.NONE;
                    slot.cpuNs = Event.NONE;
                    slot.costUsd = Double.NaN;
                    JournalDescriptor.write(slot, bytes);
                }
                JournalDescriptor.writeChecksum(bytes, start);
            }
        }
    }

    @Test
    void refusesToOpenOnAModelIdBeyondItsLimitNamingFileAndIndex() {
        clock.update(H0 + 2_000);
        writeJournal(new int[] {1, 3_000_000}, new int[] {0, 0});
        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> EmbeddedStore.open(config()).close());
        assertTrue(e.getMessage().contains("20260101-00F.cq4"), e.getMessage());
        assertTrue(e.getMessage().contains("index"), e.getMessage());
        assertTrue(e.getMessage().contains("model"), e.getMessage());
    }

    @Test
    void refusesToOpenOnARunIdNoRecordNamesRatherThanGuess() {
        clock.update(H0 + 2_000);
        writeJournal(new int[] {1, 1}, new int[] {0, 7});
        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> EmbeddedStore.open(config()).close());
        assertTrue(e.getMessage().contains("20260101-00F.cq4"), e.getMessage());
        assertTrue(e.getMessage().contains("run id 7"), e.getMessage());
        assertTrue(e.getMessage().contains("snapshot"), e.getMessage());
    }
}
