package dev.ringmeter.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.query.Comparison;
import dev.ringmeter.core.query.Comparison.Source;
import dev.ringmeter.core.query.GroupKey;
import dev.ringmeter.core.query.GroupValues;
import dev.ringmeter.core.query.Metric;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Comparisons grouped by two keys, from the in-memory combinations and by journal scan: the same answer from both,
 * an in-memory store, the combination limit, released ids given to other values, sort and top N, a restart.
 */
@Timeout(120)
class CompareTest {
    /** 2026-01-01T00:00:00Z. */
    private static final long H0 = 1_767_225_600_000L;
    private static final long HALF_HOUR_MS = 1_800_000;
    private static final String[] MODELS = {"gpt-a", "gpt-b", "claude-c"};
    private static final String[] CONFIGS = {"cfg-1", "cfg-2", "cfg-3", "cfg-4"};

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private StoreConfig durable() {
        return new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(128 << 10);
    }

    /** Records n varied events of every model x config over [H0, H0 + 30 min), the clock at the end of it. */
    private static void fill(final EmbeddedStore store, final int n, final long seed) throws InterruptedException {
        final Random random = new Random(seed);
        final Event e = new Event();
        for (int i = 0; i < n; i++) {
            final Status status = random.nextInt(10) == 0 ? Status.ERROR : random.nextInt(20) == 0 ? Status.TIMEOUT
                : Status.OK;
            e.reset().timestampMs(H0 + (long)(random.nextDouble() * HALF_HOUR_MS))
                .model(MODELS[random.nextInt(MODELS.length)]).config(CONFIGS[random.nextInt(CONFIGS.length)])
                .step(random.nextBoolean() ? "retrieve" : "answer")
                .latencyNs(1_000_000L + (long)(random.nextDouble() * random.nextDouble() * 4e9))
                .ttftNs(500_000L + random.nextInt(100_000_000)).promptTokens(10 + random.nextInt(2_000))
                .completionTokens(1 + random.nextInt(500)).costUsd(random.nextInt(1_000) / 1e5)
                .retries(random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0).status(status)
                .quality("accuracy", random.nextDouble()).tag("temperature", random.nextBoolean() ? "0.2" : "0.8");
            if (status == Status.ERROR) {
                e.errorType(random.nextBoolean() ? "rate_limit" : "server");
            }
            assertTrue(store.record(e));
        }
        assertTrue(store.flush(10, TimeUnit.SECONDS));
    }

    private static Map<GroupValues, WindowStats> byValues(final Comparison c) {
        final Map<GroupValues, WindowStats> m = new HashMap<>();
        for (final Comparison.Group g : c.groups()) {
            m.put(g.values(), g.stats());
        }
        return m;
    }

    @Test
    void memoryAndScanGiveTheSameAnswerForTwoKeys() throws InterruptedException {
        clock.update(H0 + HALF_HOUR_MS);
        try (EmbeddedStore store = EmbeddedStore.open(durable())) {
            fill(store, 20_000, 1);
            final Comparison memory = store.compare().by(Dimension.MODEL, Dimension.CONFIG)
                .between(H0, H0 + HALF_HOUR_MS).source(Source.MEMORY).run();
            final Comparison scan = store.compare().by(Dimension.MODEL, Dimension.CONFIG)
                .between(H0, H0 + HALF_HOUR_MS).source(Source.SCAN).run();
            assertEquals(Source.MEMORY, memory.source());
            assertEquals(Source.SCAN, scan.source());
            assertEquals(Source.MEMORY, store.compare().by(Dimension.MODEL, Dimension.CONFIG)
                .between(H0, H0 + HALF_HOUR_MS).resolvedSource(), "auto: memory covers it");
            assertEquals(H0, memory.coveredFromMs());
            assertEquals(H0 + HALF_HOUR_MS, memory.coveredToMs());
            assertFalse(memory.incomplete());
            assertEquals(MODELS.length * CONFIGS.length, memory.groupCount());
            assertSame(byValues(scan), byValues(memory));

            final Comparison memoryByTag = store.compare().by(GroupKey.of(Dimension.STEP), GroupKey.tag("temperature"))
                .where(Dimension.MODEL, "gpt-a").whereStatus(Status.OK).between(H0, H0 + HALF_HOUR_MS)
                .source(Source.MEMORY).run();
            final Comparison scanByTag = store.compare().by(GroupKey.of(Dimension.STEP), GroupKey.tag("temperature"))
                .where(Dimension.MODEL, "gpt-a").whereStatus(Status.OK).between(H0, H0 + HALF_HOUR_MS)
                .source(Source.SCAN).run();
            assertEquals(4, memoryByTag.groupCount());
            assertSame(byValues(scanByTag), byValues(memoryByTag));

            assertEquals(Source.SCAN, store.compare().by(Dimension.MODEL, Dimension.RUN).between(H0, H0 + 1)
                .resolvedSource(), "run is not kept in memory");
            assertEquals(Source.SCAN, store.compare().by(Dimension.MODEL).between(H0 - 2 * 86_400_000L, H0)
                .resolvedSource(), "older than the hourly buckets");
            assertThrows(IllegalArgumentException.class, () -> store.compare().by(Dimension.RUN)
                .between(H0, H0 + 1).source(Source.MEMORY).run());
        }
    }

    private static void assertSame(final Map<GroupValues, WindowStats> scan, final Map<GroupValues, WindowStats> memory) {
        assertEquals(scan.keySet(), memory.keySet());
        for (final Map.Entry<GroupValues, WindowStats> g : scan.entrySet()) {
            final WindowStats s = g.getValue();
            final WindowStats m = memory.get(g.getKey());
            final String at = g.getKey().toString();
            assertEquals(s.count(), m.count(), at);
            assertEquals(s.okCount(), m.okCount(), at);
            assertEquals(s.errorCount(), m.errorCount(), at);
            assertEquals(s.timeoutCount(), m.timeoutCount(), at);
            assertEquals(s.promptTokens(), m.promptTokens(), at);
            assertEquals(s.completionTokens(), m.completionTokens(), at);
            assertEquals(s.retries(), m.retries(), at);
            assertEquals(s.retryRate(), m.retryRate(), at);
            assertEquals(s.pricedCount(), m.pricedCount(), at);
            assertEquals(s.costUsd(), m.costUsd(), 1e-9, at);
            assertEquals(s.latencyMeanMs(), m.latencyMeanMs(), 1e-9, at);
            assertEquals(s.latencyMaxMs(), m.latencyMaxMs(), at);
            assertEquals(s.ttftMeanMs(), m.ttftMeanMs(), 1e-9, at);
            assertEquals(s.qualityMean("accuracy"), m.qualityMean("accuracy"), 1e-12, at);
            assertEquals(s.errorsByType(), m.errorsByType(), at);
            for (final double p : new double[] {50, 90, 95, 99}) {
                // memory keeps 1 significant digit (within 10 %), the scan the store's 2
                assertEquals(s.latencyMs(p), m.latencyMs(p), 0.1 * s.latencyMs(p), at + " p" + p);
            }
        }
    }

    @Test
    void theHourlyTierAnswersAnOlderRangeAsTheScanDoes() throws InterruptedException {
        final long end = H0 + 6 * 3_600_000L;
        clock.update(end);
        try (EmbeddedStore store = EmbeddedStore.open(durable())) {
            final Random random = new Random(5);
            final Event e = new Event();
            for (int i = 0; i < 6_000; i++) {   // over six hours, in time order, the clock following
                final long t = H0 + i * 3_600L;
                clock.update(t);
                assertTrue(store.record(e.reset().timestampMs(t).model(MODELS[i % 3]).config(CONFIGS[i % 4])
                    .latencyNs(1_000_000L + random.nextInt(900_000_000)).promptTokens(i)));
            }
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            clock.update(end);
            final Comparison memory = store.compare().by(Dimension.MODEL, Dimension.CONFIG).between(H0, end)
                .source(Source.MEMORY).run();
            final Comparison scan = store.compare().by(Dimension.MODEL, Dimension.CONFIG).between(H0, end)
                .source(Source.SCAN).run();
            assertEquals(H0, memory.coveredFromMs(), "hour-aligned: the hourly tier covers it exactly");
            assertFalse(memory.incomplete());
            long all = 0;
            for (final Comparison.Group g : memory.groups()) {
                all += g.stats().count();
            }
            assertEquals(6_000, all, "every event once: rolled up into its hour or still in its 5 minutes");
            assertSame(byValues(scan), byValues(memory));
            final Comparison lastHalfHour = store.compare().by(Dimension.MODEL).between(end - HALF_HOUR_MS, end)
                .source(Source.MEMORY).run();
            long recent = 0;
            for (final Comparison.Group g : lastHalfHour.groups()) {
                recent += g.stats().count();
            }
            assertEquals(500, recent, "the 5-minute tier: events at 3.6 s apart over the last half hour");
        }
    }

    @Test
    void anInMemoryStoreAnswersATwoKeyComparisonFromMemory() throws InterruptedException {
        clock.update(H0 + HALF_HOUR_MS);
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().clock(clock))) {
            final Event e = new Event();
            for (int i = 0; i < 300; i++) {
                store.record(e.reset().timestampMs(H0 + i * 1_000L).model(MODELS[i % 2])
                    .tag("temperature", i % 3 == 0 ? "0.2" : "0.8").latencyMs(10 + i % 7).promptTokens(i));
            }
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            final Comparison c = store.compare().by(GroupKey.of(Dimension.MODEL), GroupKey.tag("temperature"))
                .between(H0, H0 + HALF_HOUR_MS).run();
            assertEquals(Source.MEMORY, c.source());
            final Map<GroupValues, WindowStats> g = byValues(c);
            assertEquals(4, g.size());
            // i % 2 == 0 and i % 3 == 0: i % 6 == 0, 50 of them
            assertEquals(50, g.get(new GroupValues("gpt-a", "0.2")).count());
            assertEquals(100, g.get(new GroupValues("gpt-a", "0.8")).count());
            assertEquals(50, g.get(new GroupValues("gpt-b", "0.2")).count());
            assertEquals(100, g.get(new GroupValues("gpt-b", "0.8")).count());
            long tokens = 0;
            for (int i = 0; i < 300; i += 6) {
                tokens += i;
            }
            assertEquals(tokens, g.get(new GroupValues("gpt-a", "0.2")).promptTokens());
            assertThrows(IllegalArgumentException.class, () -> store.compare().by(Dimension.MODEL)
                .between(H0, H0 + 1).source(Source.SCAN).run(), "no journal to scan");
            assertThrows(IllegalArgumentException.class, () -> store.compare().by(Dimension.TASK)
                .between(H0, H0 + 1).run(), "task is not kept in memory, and nothing to scan");
        }
    }

    @Test
    void eventsPastTheCombinationLimitAreCountedTogetherAndTheAnswerSaysItIsIncomplete() throws InterruptedException {
        clock.update(H0 + HALF_HOUR_MS);
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().clock(clock).comparisonCombinations(4))) {
            final Event e = new Event();
            for (int i = 0; i < 60; i++) {   // six combinations, ten events each, the first four first
                store.record(e.reset().timestampMs(H0 + i * 1_000L).model("m").config("c" + (i / 10))
                    .latencyMs(5));
            }
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            final Comparison c = store.compare().by(Dimension.CONFIG).between(H0, H0 + HALF_HOUR_MS).run();
            assertTrue(c.incomplete());
            assertEquals(4, c.groupCount());
            for (final Comparison.Group g : c.groups()) {
                assertEquals(10, g.stats().count(), g.values().first());
            }
            assertNotNull(c.other());
            assertEquals(20, c.other().count(), "c4 and c5 in the overflow");
            final Comparison kept = store.compare().by(Dimension.CONFIG).where(Dimension.CONFIG, "c0")
                .between(H0, H0 + HALF_HOUR_MS).run();
            assertEquals(1, kept.groupCount());
        }
    }

    @Test
    void aReleasedIdGivenToAnotherNameIsNotMergedWithTheOldOne() throws InterruptedException {
        final StoreConfig config = new StoreConfig().clock(clock).dictionaryIdleMs(60_000)
            .cardinalityLimit(Dimension.CONFIG, 1);
        try (EmbeddedStore store = EmbeddedStore.open(config)) {
            final Event e = new Event();
            final List<Integer> ids = new ArrayList<>();
            for (int k = 0; k < 4; k++) {   // a config every 5 minutes: each idle and released by the next
                final long t = H0 + k * 300_000L;
                clock.update(t);
                for (int j = 0; j <= k; j++) {
                    assertTrue(store.record(e.reset().timestampMs(t + j).model("m").config("cfg-" + k)
                        .latencyMs(1 + k)));
                }
                assertTrue(store.flush(10, TimeUnit.SECONDS));
                ids.add(store.dictionary().find(Dimension.CONFIG, "cfg-" + k));
            }
            assertEquals(4, ids.size());
            assertTrue(ids.stream().distinct().count() < 4, "the test needs an id given to two names: " + ids);
            final Comparison c = store.compare().by(Dimension.CONFIG).between(H0, H0 + 1_200_000L).run();
            final Map<GroupValues, WindowStats> g = byValues(c);
            assertEquals(4, g.size(), g.keySet().toString());
            for (int k = 0; k < 4; k++) {
                final WindowStats s = g.get(new GroupValues("cfg-" + k, null));
                assertEquals(k + 1, s.count(), "cfg-" + k);
                assertEquals(1 + k, s.latencyMaxMs(), 1e-9, "cfg-" + k);
            }
        }
    }

    @Test
    void sortsByAnyMetricAndCutsToTheTopN() throws InterruptedException {
        clock.update(H0 + HALF_HOUR_MS);
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().clock(clock))) {
            final Event e = new Event();
            for (int c = 0; c < 5; c++) {
                for (int i = 0; i < 10 + c; i++) {   // config c: latency 100 x (5 - c) ms, 10 + c events
                    store.record(e.reset().timestampMs(H0 + i).model("m").config("c" + c).latencyMs(100 * (5 - c)));
                }
            }
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            final Comparison fastest = store.compare().by(Dimension.CONFIG).between(H0, H0 + HALF_HOUR_MS)
                .sortBy(Metric.P95).descending(false).limit(2).run();
            assertEquals(5, fastest.groupCount());
            assertEquals(List.of("c4", "c3"), firsts(fastest));
            final Comparison largest = store.compare().by(Dimension.CONFIG).between(H0, H0 + HALF_HOUR_MS)
                .limit(3).run();
            assertEquals(List.of("c4", "c3", "c2"), firsts(largest), "count, descending, by default");
            final Comparison slowest = store.compare().by(Dimension.CONFIG).between(H0, H0 + HALF_HOUR_MS)
                .sortBy(Metric.MEAN).run();
            assertEquals(List.of("c0", "c1", "c2", "c3", "c4"), firsts(slowest));
        }
    }

    private static List<String> firsts(final Comparison c) {
        final List<String> out = new ArrayList<>();
        for (final Comparison.Group g : c.groups()) {
            out.add(g.values().first());
        }
        return out;
    }

    @Test
    void aRestartFromTheSnapshotKeepsTheInMemoryAnswer() throws InterruptedException {
        clock.update(H0 + HALF_HOUR_MS);
        final Map<GroupValues, WindowStats> before;
        try (EmbeddedStore store = EmbeddedStore.open(durable())) {
            fill(store, 5_000, 2);
            before = byValues(store.compare().by(Dimension.MODEL, Dimension.CONFIG).between(H0, H0 + HALF_HOUR_MS)
                .source(Source.MEMORY).run());
        }
        try (EmbeddedStore store = EmbeddedStore.open(durable())) {
            assertTrue(store.recovery().snapshotLoaded());
            assertEquals(0, store.recovery().replayedRecords(), "everything in the snapshot, nothing replayed");
            final Map<GroupValues, WindowStats> after = byValues(store.compare().by(Dimension.MODEL, Dimension.CONFIG)
                .between(H0, H0 + HALF_HOUR_MS).source(Source.MEMORY).run());
            assertEquals(before.keySet(), after.keySet());
            for (final GroupValues g : before.keySet()) {
                assertEquals(before.get(g).count(), after.get(g).count());
                assertEquals(before.get(g).costUsd(), after.get(g).costUsd(), 0);
                assertEquals(before.get(g).latencyMs(95), after.get(g).latencyMs(95), 0);
            }
            assertNull(store.compare().by(Dimension.MODEL).between(H0, H0 + HALF_HOUR_MS).run().other());
        }
    }
}
