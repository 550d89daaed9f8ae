package dev.ringmeter.core.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static dev.ringmeter.core.export.ExportFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A long export and retention over a real journal of five-minute cycles with ten minutes' retention and a fixed
 * clock: a retention sweep during the export either deletes the cycles the export has read past while it goes on,
 * or, when it is due to delete the cycle being read, ends the export with an error and a cursor from which a
 * second export gives exactly the rows not yet delivered; a cursor whose cycle is gone says its rows are lost.
 */
@Timeout(120)
class ExportRetentionTest {
    private static final int EVENTS = 2_400;   // one a second: eight five-minute cycles
    private static final long RANGE_END = T0 + EVENTS * 1_000L;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private EmbeddedStore open() throws InterruptedException, IOException {
        clock.update(T0);
        // a snapshot only at close (the clock moves hours, not a day): the sweeps are the test's own
        final EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir).clock(clock)
            .shutdownHook(false).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20)
            .journalRollCycle("FIVE_MINUTELY").journalRetentionMs(600_000).snapshotIntervalMs(86_400_000));
        final Event e = new Event();
        for (int i = 0; i < EVENTS; i++) {
            clock.update(T0 + i * 1_000L);
            assertTrue(store.record(ExportFixture.event(i, e)));
            if (i % 300 == 0) {
                assertTrue(store.flush(10, TimeUnit.SECONDS));
            }
        }
        assertTrue(store.flush(10, TimeUnit.SECONDS));
        assertEquals(8, cycleFiles());
        return store;
    }

    /** An output that runs a retention sweep, once, when the export has written a number of rows. */
    private static final class SweepingOutput extends ByteArrayOutputStream {
        private final EmbeddedStore store;
        private final int afterRows;
        private int rows;
        private int swept = -1;

        SweepingOutput(final EmbeddedStore store, final int afterRows) {
            this.store = store;
            this.afterRows = afterRows;
        }

        @Override
        public synchronized void write(final byte[] b, final int off, final int len) {
            super.write(b, off, len);
            for (int i = off; i < off + len; i++) {
                rows += b[i] == '\n' ? 1 : 0;
            }
            if (swept < 0 && rows >= afterRows) {
                swept = store.journal().deleteExpiredCycles(store.journal().lastIndex());
            }
        }
    }

    @Test
    void shouldEndWithACursorWhenRetentionIsDueForTheCycleBeingReadAndResumeFromIt() throws Exception {
        try (EmbeddedStore store = open()) {
            clock.update(RANGE_END + 3_600_000);   // every cycle but the last is due for deletion
            final SweepingOutput first = new SweepingOutput(store, 100);
            final ExportSummary cut = store.export(new ExportRequest(T0, RANGE_END), first);
            assertEquals(0, first.swept, "the sweep found the export reading and deleted nothing");
            assertEquals(8, cycleFiles());
            assertFalse(cut.complete());
            assertFalse(cut.lost());
            assertTrue(cut.rows() >= 100 && cut.rows() < 300, "ended in the first cycle, at " + cut.rows());
            final List<JsonNode> head = EventExportTest.ndjson(first.toByteArray());
            final JsonNode trailer = head.get(head.size() - 1).get("export");
            assertFalse(trailer.get("complete").asBoolean());
            assertTrue(trailer.get("error").asText().contains("retention"), trailer.toString());
            assertEquals(cut.rows(), trailer.get("rows").asLong());
            assertEquals(Long.toString(cut.cursor()), trailer.get("cursor").asText());

            final byte[] rest = EventExportTest.export(store, new ExportRequest(T0, RANGE_END)
                .cursor(Long.parseLong(trailer.get("cursor").asText())));
            final List<JsonNode> tail = EventExportTest.ndjson(rest);
            assertTrue(tail.get(tail.size() - 1).get("export").get("complete").asBoolean());
            final List<JsonNode> all = new ArrayList<>(head.subList(0, head.size() - 1));
            all.addAll(tail.subList(0, tail.size() - 1));
            assertEquals(EventExportTest.expected(IntStream.range(0, EVENTS)), all,
                "the two parts are every row once, in order");

            assertEquals(7, store.journal().deleteExpiredCycles(store.journal().lastIndex()), "no export holds them");
            final ExportSummary gone = store.export(new ExportRequest(T0, RANGE_END).cursor(cut.cursor()),
                new ByteArrayOutputStream());
            assertFalse(gone.complete());
            assertTrue(gone.lost(), gone.error());
            assertEquals(0, gone.rows());
        }
    }

    @Test
    void shouldLetRetentionDeleteTheCyclesReadPastAndGoOn() throws Exception {
        try (EmbeddedStore store = open()) {
            clock.update(T0 + 1_200_001);   // cycles 0 and 1 (the first ten minutes) are due
            final SweepingOutput out = new SweepingOutput(store, 700);   // in the third cycle
            final ExportSummary summary = store.export(new ExportRequest(T0, RANGE_END), out);
            assertEquals(0, out.swept, "the sweep found the export reading");
            assertTrue(summary.complete(), summary.error());
            assertEquals(6, cycleFiles(), "the export let retention delete the two cycles behind it");
            final List<JsonNode> rows = EventExportTest.ndjson(out.toByteArray());
            assertEquals(EventExportTest.expected(IntStream.range(0, EVENTS)), rows.subList(0, rows.size() - 1),
                "every row once, in order");
        }
    }

    private long cycleFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("journal"))) {
            return files.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }
}
