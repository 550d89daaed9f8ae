package dev.ringmeter.core.journal;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.query.WindowStats;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.CachedEpochClock;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Events for tests of a damaged journal: event i is recorded alone in its journal document, with model m(i % 3) and
 * task "t-i" (or "new-i" after the damage), i + 1 ms of latency, 10 i + 3 prompt and 7 i + 1 completion tokens, so
 * a scan by task tells whether each event it reports is one that was recorded, under its own names, with its own
 * values. Event i is recorded at 01:00:00 + (i - {@link #PER_CYCLE}) s on 2026-01-01, so the first
 * {@link #PER_CYCLE} go into the journal cycle of hour 0 and the later ones into hour 1's, all within a minute.
 */
final class RecordedEvents {
    static final long T = 1_767_225_600_000L;
    static final long HOUR_MS = 3_600_000L;
    static final int PER_CYCLE = 20;
    static final String FIRST_CYCLE = "20260101-00F.cq4";
    static final String SECOND_CYCLE = "20260101-01F.cq4";
    /** The journal's block: a document takes at most a quarter. */
    static final int BLOCK_BYTES = 128 << 10;

    private RecordedEvents() {
    }

    static StoreConfig config(final Path dir, final CachedEpochClock clock) {
        return new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(BLOCK_BYTES);
    }

    static long timeOf(final int i) {
        return T + HOUR_MS + (i - PER_CYCLE) * 1_000L;
    }

    /** Records events from..to-1 under a prefix, each alone in its document, the clock at the event's time. */
    static void record(final EmbeddedStore store, final CachedEpochClock clock, final String prefix, final int from,
                       final int to) throws InterruptedException {
        final Event e = new Event();
        for (int i = from; i < to; i++) {
            clock.update(timeOf(i));
            e.reset();
            e.model("m" + (i % 3)).task(prefix + i).latencyMs(i + 1).promptTokens(10L * i + 3)
                .completionTokens(7L * i + 1).timestampMs(timeOf(i));
            assertTrue(store.record(e));
            assertTrue(store.flush(10, TimeUnit.SECONDS));
        }
    }

    /**
     * @param journal the journal directory of a closed store.
     * @param cycle   a cycle file's name.
     * @return {header offset, end offset} of each data document of the cycle, in order, as Chronicle reads them.
     */
    static List<long[]> documents(final Path journal, final String cycle) {
        final List<long[]> docs = new ArrayList<>();
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(journal).rollCycle(RollCycles.FAST_HOURLY)
            .blockSize(BLOCK_BYTES).readOnly(true).build();
             ExcerptTailer tailer = q.createTailer()) {
            tailer.toStart();
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    if (q.rollCycle().toCycle(dc.index()) == (int)(T / HOUR_MS) + (cycle.equals(FIRST_CYCLE) ? 0 : 1)) {
                        docs.add(new long[] {dc.wire().bytes().readPosition() - 4, dc.wire().bytes().readLimit()});
                    }
                }
            }
        }
        return docs;
    }

    /**
     * Asserts that every event the store's journal reports, by model and by task, is one that was recorded with
     * these names and values.
     *
     * @return the tasks reported.
     */
    static TreeSet<String> assertGenuine(final EmbeddedStore store) {
        final TreeSet<String> all = new TreeSet<>();
        for (int m = 0; m < 3; m++) {
            final Map<String, WindowStats> groups = new JournalScan(store).between(0, Long.MAX_VALUE)
                .where(dev.ringmeter.core.dictionary.Dimension.MODEL, "m" + m).groupBy(JournalScan.GroupBy.TASK).run();
            for (final Map.Entry<String, WindowStats> g : groups.entrySet()) {
                final String task = g.getKey();
                final int dash = task.indexOf('-');
                assertTrue(dash > 0 && (task.startsWith("t-") || task.startsWith("new-")), "a task no one recorded: "
                    + task);
                final int i = Integer.parseInt(task.substring(dash + 1));
                final WindowStats s = g.getValue();
                assertEquals(m, i % 3, task + " under model m" + m);
                assertEquals(1, s.count(), task + " once");
                assertEquals(i + 1.0, s.latencyMeanMs(), 1e-9, task + "'s latency");
                assertEquals(10L * i + 3, s.promptTokens(), task + "'s prompt tokens");
                assertEquals(7L * i + 1, s.completionTokens(), task + "'s completion tokens");
                assertTrue(all.add(task), task + " under one model only");
            }
        }
        return all;
    }

    /** @return "t-from" .. "t-(to-1)" (and the like for another prefix). */
    static TreeSet<String> tasks(final String prefix, final int from, final int to) {
        final TreeSet<String> tasks = new TreeSet<>();
        for (int i = from; i < to; i++) {
            tasks.add(prefix + i);
        }
        return tasks;
    }

    static long count(final EmbeddedStore store) {
        return store.aggregates().window(null, 0, T + 3 * HOUR_MS, store.aggregates().newWindowStats()).count();
    }
}
