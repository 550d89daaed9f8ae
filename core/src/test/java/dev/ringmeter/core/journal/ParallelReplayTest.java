package dev.ringmeter.core.journal;

import dev.ringmeter.Event;
import dev.ringmeter.MetricSample;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.aggregate.AggregatesImage;
import dev.ringmeter.core.cost.MatchKind;
import dev.ringmeter.core.cost.PriceEntry;
import dev.ringmeter.core.cost.PriceTier;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.privacy.Sampling;
import dev.ringmeter.core.run.RunCommand;
import dev.ringmeter.core.run.RunStatus;
import dev.ringmeter.core.watch.alert.AlertMetric;
import dev.ringmeter.core.watch.alert.AlertRule;
import dev.ringmeter.core.watch.alert.AlertScope;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replay decoding on one thread and applying on another ({@link ReplayHandOff}) gives exactly what replay on one
 * thread gives, over a journal of events (sampled ones too, every field), metric samples (weighted too), prices,
 * price entries, a recompute, runs, an alert rule and dictionary records that give released ids to other values;
 * and a failure on either thread ends the replay with that failure and leaves no thread behind.
 */
@Timeout(120)
class ParallelReplayTest {
    /** 2026-01-01T00:00Z, the start of an hourly cycle. */
    private static final long H0 = 1_767_225_600_000L;
    private static final long STEP_MS = 5 * 60_000L;
    private static final int STEPS = 24;
    private static final int PER_STEP = 10_000;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private StoreConfig config() {
        return new StoreConfig().dataDirectory(dir.resolve("data")).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20)
            .dictionaryIdleMs(60_000).cardinalityLimit(Dimension.RUN, 4).cardinalityLimit(Dimension.TAG_VALUE, 6)
            .sampling(Sampling.parse("model:sampled=4"));
    }

    /** Events of every field (sampled ones too), metric samples, prices, a recompute, runs and alert rules. */
    private void recordMixedJournal() throws Exception {
        clock.update(H0);
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            store.setPrice("m0", 1.5, 6);
            store.putPriceEntry(new PriceEntry(0, 0, false, MatchKind.EXACT, "m1", 0,
                new PriceTier(0, 2, 8, 1, Double.NaN, 20), new PriceTier[0]), 10_000);
            store.alerts().putRule(new AlertRule("slow", "slow m0", AlertScope.parse("model:m0"),
                AlertMetric.parse("p95"), 60_000, AlertRule.Comparator.GT, 100, 300, 0, 5, List.of(), Map.of(), ""));
            final SplittableRandom random = new SplittableRandom(18);
            final Event e = new Event();
            final MetricSample sample = new MetricSample();
            for (int k = 0; k < STEPS; k++) {   // runs and tag values idle by the next step: their ids are reused
                final long t = H0 + k * STEP_MS;
                clock.update(t);
                store.runs().create("run-" + k, "run " + k, Map.of("k", k), List.of("x"), RunCommand.NO_COUNT);
                for (int i = 0; i < PER_STEP; i++) {
                    final String model = i % 7 == 0 ? "sampled" : "m" + i % 5;
                    e.reset().model(model).timestampMs(t + i % 60_000)
                        .latencyNs(random.nextLong(1_000_000, 900_000_000)).ttftNs(random.nextLong(100_000, 1_000_000)).promptTokens(random.nextInt(1, 4000))
                        .completionTokens(random.nextInt(1, 1000)).pipeline("p" + i % 3).step("s" + i % 4)
                        .run("run-" + k).task("task-" + i % 50).config("c" + i % 2).provider("prov" + i % 2)
                        .tool("tool" + i % 3).agent("agent" + i % 2).tag("env", "v" + (k + i % 2))
                        .quality("score", random.nextDouble())
                        .status(i % 13 == 0 ? Status.ERROR : Status.OK);
                    if (i % 13 == 0) {
                        e.errorType("rate_limit");
                    }
                    assertTrue(store.record(e));
                    if (i % 10 == 0) {
                        assertTrue(store.record(sample.reset().name("queue.depth").value(i).timestampMs(t + i)
                            .count(i % 20 == 0 ? 3 : 1).tag("env", "v" + k)));
                    }
                }
                if (k == STEPS / 2) {
                    store.setPrice("m2", 3, 12);
                    store.recomputeCosts(H0, t, 30_000);
                }
                store.runs().finish("run-" + k, RunStatus.COMPLETED, null);
                assertTrue(store.flush(30, TimeUnit.SECONDS), () -> "not flushed; journal failure: "
                    + store.journalFailure());
            }
            assertTrue(store.dictionary().size(Dimension.RUN) <= 4, "run ids were released and given again");
        }
    }

    /** Replays the whole journal into a new dictionary and aggregates, and returns their snapshot's bytes. */
    private byte[] replayed(final boolean parallel, final Path out) throws Exception {
        final StoreConfig config = config().conclude();
        try (Journal journal = new Journal(Journal.journalDirectory(dir.resolve("data")), config)) {
            final Dictionary d = new Dictionary(config);
            final Aggregates a = new Aggregates(config, d);
            final long[] read = StoreRecovery.replay(journal, config, d, a, -1, parallel);
            assertTrue(read[0] > STEPS * PER_STEP, "records replayed: " + read[0]);
            d.settle();
            final AggregatesImage image = a.newImage();
            a.capture(image);
            Files.createDirectories(out);
            try {
                Snapshot.write(out, config, d, image, read[1]);
            } finally {
                image.release();
            }
            return Files.readAllBytes(out.resolve(Snapshot.FILE));
        }
    }

    @Test
    void applyingOnASecondThreadGivesTheSameDictionaryAndAggregatesAsOneThread() throws Exception {
        recordMixedJournal();
        final byte[] sequential = replayed(false, dir.resolve("sequential"));
        final byte[] parallel = replayed(true, dir.resolve("parallel"));
        assertArrayEquals(sequential, parallel, "the snapshot of the dictionary and aggregates each replay left");
        // and the same as the store's own: a replay of the same journal on open gives what recording gave
        Files.delete(dir.resolve("data").resolve(Snapshot.FILE));
        try (EmbeddedStore store = EmbeddedStore.open(config())) {
            assertFalse(store.recovery().snapshotLoaded());
            assertTrue(store.recovery().replayedRecords() > STEPS * PER_STEP);
        }
    }

    @Test
    void aFailureOfTheApplyThreadEndsTheReplayWithIt() throws Exception {
        assertAFailureToApplyEndsTheReplayWithIt(true);
        assertNoApplyThreadLeft();
    }

    @Test
    void aFailureToApplyOnOneThreadEndsTheReplayWithItNotAsADamagedDocument() throws Exception {
        assertAFailureToApplyEndsTheReplayWithIt(false);
    }

    /**
     * A visitor that throws at the 50,000th record ends the replay with its own exception, not with a damaged document
     * skipped, and is told of no record after it.
     *
     * @param parallel whether records are applied on a thread of their own (else on the reading thread).
     */
    private void assertAFailureToApplyEndsTheReplayWithIt(final boolean parallel) throws Exception {
        recordMixedJournal();
        final StoreConfig config = config().conclude();
        final IllegalStateException boom = new IllegalStateException("applying failed");
        final AtomicLong applied = new AtomicLong();
        try (Journal journal = new Journal(Journal.journalDirectory(dir.resolve("data")), config)) {
            final Dictionary d = new Dictionary(config);
            final Thread caller = Thread.currentThread();
            final Throwable thrown = assertThrows(IllegalStateException.class, () -> journal.replay(-1, slot -> {
                assertEquals(!parallel, Thread.currentThread() == caller,
                    parallel ? "applied on a thread of its own" : "applied on the reading thread");
                if (applied.incrementAndGet() == 50_000) {
                    throw boom;
                }
            }, d, parallel));
            assertSame(boom, thrown, "the failure to apply, not a damaged document skipped");
            assertEquals(50_000, applied.get(), "nothing applied after the failure");
        }
    }

    @Test
    void aFailureOfTheReadingThreadEndsTheReplayAndTheApplyThread() throws Exception {
        recordMixedJournal();
        // a run limit below the ids the journal binds: its dictionary record cannot be decoded, and recovery stops
        final StoreConfig config = config().cardinalityLimit(Dimension.MODEL, 2).conclude();
        try (Journal journal = new Journal(Journal.journalDirectory(dir.resolve("data")), config)) {
            final Dictionary d = new Dictionary(config);
            final AtomicLong applied = new AtomicLong();
            final UndecodableJournalException e = assertThrows(UndecodableJournalException.class,
                () -> journal.replay(-1, slot -> applied.incrementAndGet(), d, true));
            assertTrue(e.getMessage().contains("model id"), e.getMessage());
        }
        assertNoApplyThreadLeft();
        // and the store does not open: the open fails with the reading thread's exception
        Files.delete(dir.resolve("data").resolve(Snapshot.FILE));
        assertThrows(UndecodableJournalException.class, () -> EmbeddedStore.open(config().cardinalityLimit(
            Dimension.MODEL, 2)).close());
    }

    private static void assertNoApplyThreadLeft() throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().equals("ringmeter-replay-apply"))) {
            assertTrue(System.nanoTime() < deadline, "the apply thread still runs after the replay ended");
            Thread.onSpinWait();
        }
    }
}
