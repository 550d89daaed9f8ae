package dev.ringmeter.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.aggregate.CallTotals;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.journal.Journal;
import dev.ringmeter.core.journal.Snapshot;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.test.DataDirectories;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots are written while ingestion goes on, and queries run beside the writer: a blocked snapshot write does
 * not stop events being applied and acknowledged, a query sees the state at one point between two batches, and
 * every snapshot taken while events arrive reloads to exactly the state at its journal position.
 */
@Timeout(120)
class SnapshotWithoutPauseTest {
    private static final long T0 = 1_760_000_400_000L;
    private static final int MODELS = 5;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private StoreConfig config(final Path data) {
        return new StoreConfig().dataDirectory(data).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20).snapshotIntervalMs(1_000);
    }

    @Test
    void shouldKeepApplyingAndAcknowledgingEventsWhileASnapshotWriteIsBlocked() throws Exception {
        clock.update(T0);
        final Path data = dir.resolve("data");
        final Path fifo = data.resolve(Snapshot.FILE + ".tmp");
        final EmbeddedStore store = EmbeddedStore.open(config(data));
        try {
            // opening a FIFO for writing blocks until someone opens it for reading: the snapshot's write hangs
            mkfifo(fifo);
            DurableStoreTest.record(store, clock, 0, 200);   // two seconds of clock: a snapshot falls due
            assertTrue(store.flush(10, TimeUnit.SECONDS), "acknowledged while the snapshot is stuck");
            DurableStoreTest.record(store, clock, 200, 600);   // four more seconds: more snapshots fall due
            assertTrue(store.flush(10, TimeUnit.SECONDS), "acknowledged while the snapshot is stuck");
            assertEquals(600, store.aggregates().window(null, T0, T0 + 60_000, new WindowStats()).count(),
                "applied while the snapshot is stuck");
            assertEquals(-1, store.snapshotJournalIndex(), "the snapshot is still stuck");
            assertTrue(store.stats().snapshotsSkipped() > 0, "the snapshots due meanwhile were skipped");

            assertTrue(drain(fifo) > 0, "the stuck snapshot went on");
            awaitSnapshotThreadIdle(store, fifo);
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(data.resolve(Snapshot.FILE));
            // the next snapshot due is written to a real file
            int i = 600;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (store.snapshotJournalIndex() < 0 && System.nanoTime() < deadline) {
                DurableStoreTest.record(store, clock, i, i + 150);
                i += 150;
                assertTrue(store.flush(10, TimeUnit.SECONDS));
            }
            assertTrue(store.snapshotJournalIndex() >= 0, "a snapshot was written once the disk let it");
            final int recorded = i;
            store.close();
            try (EmbeddedStore reopened = EmbeddedStore.open(config(data))) {
                assertTrue(reopened.recovery().snapshotLoaded());
                assertEquals(recorded, reopened.aggregates().window(null, T0, T0 + 3_600_000, new WindowStats())
                    .count());
            }
        } finally {
            if (Files.exists(fifo)) {
                drainInBackground(fifo);   // a store that writes on its aggregate thread is stuck in it
            }
            store.close();
        }
    }

    /**
     * The dictionary is written after the capture, on the snapshot thread, while ids are released and given to other
     * values: written with the new name, such an id would misname, in a replay from the snapshot's position, the
     * records between that position and the reuse, which meant the old one.
     */
    @Test
    void shouldNameAnIdReusedWhileASnapshotIsWrittenAsItWasAtTheCapture() throws Exception {
        clock.update(T0);
        final Path data = dir.resolve("data");
        final Path fifo = data.resolve(Snapshot.FILE + ".tmp");
        final Path image = dir.resolve("image");
        final EmbeddedStore store = EmbeddedStore.open(config(data).dictionaryIdleMs(10_000));
        try {
            final Dictionary names = store.dictionary();
            mkfifo(fifo);
            recordRun(store, T0, "old");
            clock.update(T0 + 1_500);
            recordRun(store, T0 + 1_500, "old");   // a snapshot falls due: captured here, its write stuck on the FIFO
            awaitSnapshotWriting();
            recordRun(store, T0 + 1_600, "old");   // after the snapshot's position, "old" by its id
            final int oldId = names.find(Dimension.RUN, "old");
            clock.update(T0 + 15_000);
            recordRun(store, T0 + 15_000, "n1");   // "old" is idle past the window: this batch's sweep releases it
            assertEquals(0, names.find(Dimension.RUN, "old"), "released while the snapshot is in flight");
            clock.update(T0 + 16_500);
            recordRun(store, T0 + 16_500, "n2");   // the next sweep frees its id ...
            recordRun(store, T0 + 16_600, "n3");   // ... and this new value takes it
            assertEquals(oldId, names.find(Dimension.RUN, "n3"), "reused while the snapshot is in flight");

            final byte[] snapshot = drainAll(fifo);
            awaitSnapshotThreadIdle(store, fifo);
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(data.resolve(Snapshot.FILE));
            clock.update(T0 + 18_000);
            recordRun(store, T0 + 18_000, "n4");
            // a crash image with the snapshot that was stuck and the journal after it
            DataDirectories.copy(data, image);
            Files.write(image.resolve(Snapshot.FILE), snapshot);
        } finally {
            if (Files.exists(fifo)) {
                drainInBackground(fifo);
            }
            store.close();
        }
        try (EmbeddedStore reopened = EmbeddedStore.open(config(image).dictionaryIdleMs(10_000))) {
            assertTrue(reopened.recovery().snapshotLoaded());
            final List<String> runs = new ArrayList<>();
            for (final Event e : reopened.aggregates().recent("m", 100)) {
                runs.add(e.run());
            }
            assertEquals(List.of("n4", "n3", "n2", "n1", "old", "old", "old"), runs, "newest first");
        }
    }

    private static void recordRun(final EmbeddedStore store, final long timeMs, final String run)
        throws InterruptedException {
        assertTrue(store.record(new Event().model("m").latencyMs(1).timestampMs(timeMs).run(run)));
        assertTrue(store.flush(10, TimeUnit.SECONDS));
    }

    @Test
    void shouldAnswerEveryQueryWithTheStateAtOnePointWhileEventsAreApplied() throws Exception {
        clock.update(T0);
        final int events = 300_000;
        try (EmbeddedStore store = EmbeddedStore.open(config(dir.resolve("data")))) {
            final AtomicBoolean done = new AtomicBoolean();
            final AtomicReference<String> broken = new AtomicReference<>();
            final List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                final String model = r == 0 ? null : "m" + (r % MODELS);
                final Thread reader = new Thread(() -> query(store, model, done, broken), "reader-" + r);
                reader.start();
                readers.add(reader);
            }
            final Event e = new Event();
            for (int i = 0; i < events; i++) {
                clock.update(T0 + i);   // a second of clock every 1,000 events: tiers roll up all the time
                store.record(e.reset().model("m" + i % MODELS).timestampMs(T0 + i).latencyNs(1_000_000L + i)
                    .status(isError(i) ? Status.ERROR : Status.OK));
            }
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            done.set(true);
            for (final Thread reader : readers) {
                reader.join(30_000);
            }
            assertNull(broken.get());
            final WindowStats all = store.aggregates().window(null, T0, T0 + 3_600_000, new WindowStats());
            assertEquals(events, all.count());
            assertEquals(errorsOfFirst(events), all.errorCount());
        }
    }

    /** Queries a window over every event until done, checking that each answer is the state at one point. */
    private static void query(final EmbeddedStore store, final String model, final AtomicBoolean done,
                              final AtomicReference<String> broken) {
        final WindowStats stats = store.aggregates().newWindowStats();
        long last = 0;
        int queries = 0;
        while (!done.get() || queries < 10) {
            store.aggregates().window(model, T0, T0 + 3_600_000, stats);
            final long count = stats.count();
            // one producer records events in order, so a state at one point holds exactly the first n of them
            final long errors = model == null ? errorsOfFirst(count) : count / 2;
            final long histogram = stats.sum.latencyUs == null ? 0 : stats.sum.latencyUs.getTotalCount();
            if (count < last || stats.errorCount() != errors || stats.okCount() + stats.errorCount() != count
                || histogram != count) {
                broken.compareAndSet(null, "query of " + model + " gave " + count + " events (" + last
                    + " before), " + stats.errorCount() + " errors (" + errors + " expected), " + histogram
                    + " latencies");
                return;
            }
            last = count;
            queries++;
        }
    }

    /** Event i is an error when (i / models) is odd: each model's events alternate ok, error. */
    private static boolean isError(final long i) {
        return (i / MODELS) % 2 == 1;
    }

    private static long errorsOfFirst(final long n) {
        final long cycle = 2L * MODELS;
        return n / cycle * MODELS + Math.max(0, n % cycle - MODELS);
    }

    @Test
    void shouldReloadEverySnapshotTakenWhileIngestingToExactlyTheStateAtItsJournalPosition() throws Exception {
        clock.update(T0);
        final Path data = dir.resolve("data");
        final List<Path> images = new ArrayList<>();
        try (EmbeddedStore store = EmbeddedStore.open(config(data))) {
            store.setPrice("gpt-4o", 2.5, 10);
            final AtomicBoolean done = new AtomicBoolean();
            final AtomicReference<String> broken = new AtomicReference<>();
            final Thread reader = new Thread(() -> query(store, null, done, broken), "reader");
            reader.start();
            final AtomicInteger imagesTaken = new AtomicInteger();
            final Thread producer = new Thread(() -> {
                // at least 40 chunks, and on until several snapshots were taken meanwhile (a loaded machine may
                // give the snapshot thread little time), within a bound
                for (int chunk = 0; chunk < 40 || imagesTaken.get() < 4 && chunk < 2_000; chunk++) {
                    DurableStoreTest.record(store, clock, chunk * 1_000, (chunk + 1) * 1_000);   // 10 s of clock
                    try {
                        store.flush(10, TimeUnit.SECONDS);
                    } catch (final InterruptedException e) {
                        return;
                    }
                }
            }, "producer");
            producer.start();
            long seen = -1;
            while (producer.isAlive()) {
                if (store.snapshotJournalIndex() != seen) {
                    seen = store.snapshotJournalIndex();
                    // a crash image while events arrive: the latest snapshot and the journal after it
                    images.add(DataDirectories.copy(data, dir.resolve("image-" + images.size())));
                    imagesTaken.incrementAndGet();
                }
                Thread.onSpinWait();
            }
            done.set(true);
            reader.join(30_000);
        }
        final Set<Long> positions = new HashSet<>();
        for (final Path image : images) {
            final StoreConfig config = config(image);
            final Dictionary loadedNames = new Dictionary(config.cardinalityLimits(), config.maxStringLength());
            final Aggregates loaded = new Aggregates(config, loadedNames);
            final Snapshot.Loaded snapshot = Snapshot.load(image, config, loadedNames, loaded);
            if (!snapshot.found()) {
                continue;
            }
            positions.add(snapshot.journalIndex());
            // a replay from scratch of every journal record up to the snapshot's position, and none after it
            final Dictionary replayedNames = new Dictionary(config.cardinalityLimits(), config.maxStringLength());
            final Aggregates replayed = new Aggregates(config, replayedNames);
            try (Journal journal = new Journal(Journal.journalDirectory(image), config)) {
                journal.replay(-1, slot -> {
                    if (slot.journalIndex <= snapshot.journalIndex()) {
                        replayed.recover(slot);
                    }
                }, replayedNames);
            }
            assertSameState(replayed, loaded, image + " at " + Long.toHexString(snapshot.journalIndex()));
        }
        assertTrue(positions.size() >= 3, "snapshots at several positions were compared: " + positions.size());
    }

    private static void assertSameState(final Aggregates expected, final Aggregates actual, final String at) {
        assertEquals(expected.models(), actual.models(), at);
        assertArrayEquals(expected.counters(), actual.counters(), at);
        assertEquals(describe(expected.totals()), describe(actual.totals()), at);
        final WindowStats a = expected.newWindowStats();
        final WindowStats b = actual.newWindowStats();
        final List<String> models = new ArrayList<>(expected.models());
        models.add(null);
        for (final String model : models) {
            for (final long length : new long[] {1_000, 10_000, 60_000, 600_000, 3_600_000}) {
                for (long to = T0 + length; to <= T0 + 400_000 + length; to += length / 2 + 1_000) {
                    expected.window(model, to - length, to, a);
                    actual.window(model, to - length, to, b);
                    final String where = at + " " + model + " [" + (to - length - T0) + ", " + (to - T0) + ")";
                    assertEquals(a.count(), b.count(), where);
                    assertEquals(a.errorCount(), b.errorCount(), where);
                    assertEquals(a.totalTokens(), b.totalTokens(), where);
                    assertEquals(a.latencyMs(99), b.latencyMs(99), 0.0, where);
                    assertEquals(a.ttftMs(50), b.ttftMs(50), 0.0, where);
                    assertEquals(a.costUsd(), b.costUsd(), 1e-9, where);
                    assertEquals(a.errorsByType(), b.errorsByType(), where);
                }
            }
            if (model != null) {
                assertEquals(describe(expected.recent(model, 1_000)), describe(actual.recent(model, 1_000)), at);
            }
        }
    }

    private static String describe(final Map<String, CallTotals> totals) {
        final StringBuilder b = new StringBuilder();
        totals.forEach((model, t) -> {
            b.append(model).append(' ').append(t.requests()).append(' ').append(t.requests(Status.ERROR)).append(' ')
                .append(t.costUsd()).append(' ').append(t.retries()).append(' ').append(t.cacheHits()).append(' ')
                .append(t.errorsByType()).append(' ').append(t.durationSeconds().sum());
            for (int i = 0; i < t.durationSeconds().boundCount(); i++) {
                b.append(',').append(t.durationSeconds().cumulativeCount(i));
            }
            b.append('\n');
        });
        return b.toString();
    }

    private static String describe(final List<Event> events) {
        final StringBuilder b = new StringBuilder();
        for (final Event e : events) {
            b.append(e.timestampMs()).append(' ').append(e.latencyNs()).append(' ').append(e.step()).append(' ')
                .append(e.operation()).append(' ').append(e.costUsd()).append('\n');
        }
        return b.toString();
    }

    private static void mkfifo(final Path fifo) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo " + fifo);
    }

    /** Opens the FIFO for reading (which lets its writer's open return) and reads until the writer closes it. */
    private static long drain(final Path fifo) throws IOException {
        final byte[] buffer = new byte[1 << 16];
        long bytes = 0;
        try (InputStream in = new FileInputStream(fifo.toFile())) {
            for (int n; (n = in.read(buffer)) >= 0; ) {   // not readAllBytes: it seeks, and a FIFO cannot
                bytes += n;
            }
        }
        return bytes;
    }

    /** Opens the FIFO for reading and returns everything written to it until its writer closes it. */
    private static byte[] drainAll(final Path fifo) throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final byte[] buffer = new byte[1 << 16];
        try (InputStream in = new FileInputStream(fifo.toFile())) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes.write(buffer, 0, n);
            }
        }
        return bytes.toByteArray();
    }

    /** Drains every write to the FIFO until it is deleted, so that a writer stuck on it (and a close) can end. */
    private static void drainInBackground(final Path fifo) {
        final Thread t = new Thread(() -> {
            try {
                while (Files.exists(fifo)) {
                    drain(fifo);
                }
            } catch (final IOException e) {
                // deleted meanwhile
            }
        }, "drain-" + fifo.getFileName());
        t.setDaemon(true);
        t.start();
    }

    /** Waits until a thread is inside a snapshot write (stuck on the FIFO). */
    private static void awaitSnapshotWriting() throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (final StackTraceElement[] frames : Thread.getAllStackTraces().values()) {
                for (final StackTraceElement frame : frames) {
                    if (frame.getClassName().equals(Snapshot.class.getName())
                        && frame.getMethodName().equals("write")) {
                        return;
                    }
                }
            }
            Thread.sleep(10);   // polling a condition with a deadline, not waiting for time to pass
        }
        throw new AssertionError("no snapshot write began");
    }

    /** Waits until the snapshot thread is no longer writing: no thread of its name is inside a snapshot write. */
    private static void awaitSnapshotThreadIdle(final EmbeddedStore store, final Path fifo)
        throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            boolean writing = false;
            for (final Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
                for (final StackTraceElement frame : t.getValue()) {
                    writing |= frame.getClassName().equals(Snapshot.class.getName())
                        && frame.getMethodName().equals("write");
                }
            }
            if (!writing) {
                return;
            }
            Thread.sleep(10);   // polling a condition with a deadline, not waiting for time to pass
        }
        throw new AssertionError("the snapshot of " + store.config().dataDirectory() + " on " + fifo
            + " did not end");
    }
}
