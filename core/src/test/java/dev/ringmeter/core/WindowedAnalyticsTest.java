package dev.ringmeter.core;

import dev.ringmeter.CacheResult;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.query.Metric;
import dev.ringmeter.core.query.Series;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class WindowedAnalyticsTest {
    private static final long T0 = 1_760_000_400_000L; // an instant on a whole hour
    private static final String[] MODELS = {"claude", "gpt", "llama"};
    private final CachedEpochClock clock = new CachedEpochClock();
    private EmbeddedStore store;

    private EmbeddedStore open(final StoreConfig config) {
        clock.update(T0);
        store = EmbeddedStore.open(config.clock(clock).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK));
        return store;
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private static final class Recorded {
        String model = "claude";
        final long timeMs;
        final long latencyNs;
        final long promptTokens;
        final long completionTokens;
        final Status status;

        Recorded(final long timeMs, final long latencyNs, final long promptTokens, final long completionTokens,
                 final Status status) {
            this.timeMs = timeMs;
            this.latencyNs = latencyNs;
            this.promptTokens = promptTokens;
            this.completionTokens = completionTokens;
            this.status = status;
        }
    }

    @Test
    void shouldGivePercentilesWithinHistogramPrecisionOfExactValues() throws Exception {
        open(new StoreConfig());
        final SplittableRandom random = new SplittableRandom(42);
        final Event e = new Event();
        final long[] latencies = new long[20_000];
        for (int i = 0; i < latencies.length; i++) {
            // log-normal-ish latencies from 1 ms to a few seconds, as LLM calls have
            latencies[i] = (long)(Math.exp(random.nextDouble(0, 8)) * 1_000_000L);
            store.record(e.reset().model("gpt-4o").latencyNs(latencies[i]).timestampMs(T0 - 1000 + i % 1000));
        }
        assertTrue(store.flush(10, TimeUnit.SECONDS));
        Arrays.sort(latencies);

        final WindowStats stats = store.aggregates().window("gpt-4o", T0 - 60_000, T0 + 1000, new WindowStats());
        assertEquals(latencies.length, stats.count());
        for (final double p : new double[] {50, 90, 95, 99, 99.9}) {
            final double exactMs = exactPercentile(latencies, p) / 1e6;
            final double actualMs = stats.latencyMs(p);
            assertEquals(exactMs, actualMs, exactMs * 0.01 + 0.001, "P" + p);
        }
        assertEquals(latencies[latencies.length - 1] / 1e6, stats.latencyMaxMs(), 1e-9);
        assertEquals(Arrays.stream(latencies).average().orElseThrow() / 1e6, stats.latencyMeanMs(), 1e-6);
    }

    /** The smallest recorded value with at least p % of values at or below it (HdrHistogram's definition). */
    private static long exactPercentile(final long[] sorted, final double percentile) {
        final int rank = (int)Math.max(1, Math.ceil(percentile / 100.0 * sorted.length));
        return sorted[rank - 1];
    }

    @Test
    void shouldCountEventsAtBucketEdgesInTheRightWindow() throws Exception {
        open(new StoreConfig());
        final Event e = new Event();
        store.record(e.reset().model("m").latencyMs(1).timestampMs(T0 - 1));
        store.record(e.reset().model("m").latencyMs(2).timestampMs(T0));
        store.record(e.reset().model("m").latencyMs(3).timestampMs(T0 + 999));
        store.record(e.reset().model("m").latencyMs(4).timestampMs(T0 + 1000));
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        final WindowStats s = new WindowStats();

        store.aggregates().window("m", T0, T0 + 1000, s);
        assertEquals(2, s.count());
        assertEquals(T0, s.coveredFromMs());
        assertEquals(T0 + 1000, s.coveredToMs());
        assertEquals(3.0, s.latencyMaxMs(), 1e-9);

        store.aggregates().window("m", T0 - 1000, T0, s);
        assertEquals(1, s.count());
        store.aggregates().window("m", T0 + 1000, T0 + 2000, s);
        assertEquals(1, s.count());
        store.aggregates().window("m", T0 - 1000, T0 + 2000, s);
        assertEquals(4, s.count());
        store.aggregates().window("m", T0 + 2000, T0 + 60_000, s);
        assertEquals(0, s.count());
    }

    @Test
    void shouldMatchBruteForceOverHoursOfEventsIncludingLateOnes() throws Exception {
        open(new StoreConfig());
        final SplittableRandom random = new SplittableRandom(7);
        final List<Recorded> all = new ArrayList<>();
        final Event e = new Event();
        long now = T0;
        // Three hours of traffic, mostly in order, some late by up to 20 minutes.
        for (int i = 0; i < 60_000; i++) {
            now += random.nextInt(0, 360);
            clock.update(now);
            final long t = random.nextInt(10) == 0 ? Math.max(T0, now - random.nextLong(0, 1_200_000)) : now;
            final Status status = random.nextInt(20) == 0 ? Status.ERROR : Status.OK;
            final Recorded r = new Recorded(t, random.nextLong(100_000, 5_000_000_000L), random.nextLong(0, 2000),
                random.nextLong(0, 500), status);
            r.model = MODELS[random.nextInt(MODELS.length)];
            all.add(r);
            store.record(e.reset().model(r.model).timestampMs(t).latencyNs(r.latencyNs)
                .promptTokens(r.promptTokens).completionTokens(r.completionTokens).status(status));
            if (i % 5000 == 0) {
                assertTrue(store.flush(5, TimeUnit.SECONDS));
            }
        }
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        final long end = now;

        final WindowStats s = new WindowStats();
        final long[] windows = {1_000, 10_000, 60_000, 300_000, 3_600_000, 3 * 3_600_000};
        for (final long length : windows) {
            for (int trial = 0; trial < 30; trial++) {
                long to;
                long[] cover;
                do {   // a window whose edges no tier's horizon makes ambiguous
                    to = end - random.nextLong(0, Math.max(1, end - T0 - length + 1));
                    cover = expectedCover(to - length, to, end);
                } while (cover == null);
                final String model = trial % 4 == 3 ? null : MODELS[trial % 4];
                store.aggregates().window(model, to - length, to, s);
                final String window = (to - length - T0) + ".." + (to - T0);
                assertEquals(cover[0] - T0, s.coveredFromMs() - T0, "covered from, for the window " + window);
                assertEquals(cover[1] - T0, s.coveredToMs() - T0, "covered to, for the window " + window);
                long count = 0, errors = 0, prompt = 0, completion = 0;
                for (final Recorded r : all) {
                    if (r.timeMs >= s.coveredFromMs() && r.timeMs < s.coveredToMs()
                        && (model == null || model.equals(r.model))) {
                        count++;
                        errors += r.status == Status.ERROR ? 1 : 0;
                        prompt += r.promptTokens;
                        completion += r.completionTokens;
                    }
                }
                final String at = model + " window " + length + " ms ending " + (to - T0);
                assertEquals(count, s.count(), at);
                assertEquals(errors, s.errorCount(), at);
                assertEquals(prompt, s.promptTokens(), at);
                assertEquals(completion, s.completionTokens(), at);
            }
        }
        store.aggregates().window(null, T0 - 60_000, end + 1, s);
        assertEquals(all.size(), s.count(), "everything within retention is counted once");
        long perModel = 0;
        for (final String model : MODELS) {
            perModel += store.aggregates().window(model, T0 - 60_000, end + 1, s).count();
        }
        assertEquals(all.size(), perModel);
    }

    /** The default tiers (StoreConfig's): bucket width and bucket count of each, finest first. */
    private static final long[] TIER_WIDTHS_MS = {1_000, 10_000, 60_000, 3_600_000};
    private static final int[] TIER_BUCKETS = {60, 60, 90, 24};

    /**
     * The span a windowed query must cover, from the tier widths and bucket counts alone. The window's start widens
     * to a bucket edge of the finest tier that keeps it; its end to a bucket edge of the finest tier that keeps it
     * and from which the cover can step up, tier by tier, at a bucket edge of the next coarser tier that the finer
     * one still keeps, to the tier that keeps the start (else the end widens to a coarser tier).
     *
     * @return {from, to} of the cover, or null if an edge or a step lies so near a tier's horizon that which tier
     * keeps it depends on how far that tier's newest bucket trails the newest event.
     */
    private static long[] expectedCover(final long fromMs, final long toMs, final long newestMs) {
        int first = -1;
        for (int k = TIER_WIDTHS_MS.length - 1; k >= 0; k--) {
            final int kept = keeps(k, newestMs - fromMs);
            if (kept < 0) {
                return null;
            }
            first = kept == 1 ? k : first;
        }
        final long coverFromMs = fromMs - Math.floorMod(fromMs, TIER_WIDTHS_MS[first]);
        for (int end = 0; end <= first; end++) {
            final int kept = keeps(end, newestMs - (toMs - 1));
            if (kept < 0) {
                return null;
            }
            if (kept == 0) {
                continue;
            }
            final long lastMs = toMs - 1 - Math.floorMod(toMs - 1, TIER_WIDTHS_MS[end]);
            long stepMs = lastMs;
            boolean reaches = true;
            for (int k = end; k < first && reaches; k++) {
                stepMs -= Math.floorMod(stepMs, TIER_WIDTHS_MS[k + 1]);
                final int stepKept = keeps(k, newestMs - stepMs);
                if (stepKept < 0) {
                    return null;
                }
                reaches = stepKept == 1;
            }
            if (reaches) {
                return new long[] {coverFromMs, lastMs + TIER_WIDTHS_MS[end]};
            }
        }
        throw new AssertionError("the tier that keeps the start keeps the end");
    }

    /**
     * @return 1 if tier k keeps the time ageMs before the newest event, 0 if not, -1 if that time is so near the
     * tier's horizon (bucket count times width back from its newest bucket) that it depends on how far the newest
     * bucket trails the newest event: up to a bucket of the tier itself and of each finer one (a model's newest event
     * also trails the store's by a few seconds at most).
     */
    private static int keeps(final int k, final long ageMs) {
        long lagMs = 5_000;
        for (int i = 0; i <= k; i++) {
            lagMs += 2 * TIER_WIDTHS_MS[i];
        }
        final long horizonMs = TIER_BUCKETS[k] * TIER_WIDTHS_MS[k];
        return ageMs < horizonMs - lagMs ? 1 : ageMs >= horizonMs + lagMs ? 0 : -1;
    }

    @Test
    void shouldCountAnIdleModelsLastSecondInTheTotalBeforeAndAfterItCloses() throws Exception {
        open(new StoreConfig());
        final Event e = new Event();
        store.record(e.reset().model("idle").latencyMs(5).timestampMs(T0 + 500));
        for (int minute = 0; minute < 120; minute++) {
            clock.update(T0 + minute * 60_000L + 1_000);
            store.record(e.reset().model("busy").latencyMs(1).timestampMs(T0 + minute * 60_000L + 1_000));
        }
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        final WindowStats s = new WindowStats();
        assertEquals(121, store.aggregates().window(null, T0, T0 + 7_200_000, s).count());
        // two hours back only the hourly tier keeps this time: the first hour holds the idle second and 60 busy ones
        assertEquals(61, store.aggregates().window(null, T0, T0 + 3_600_000, s).count(), "the idle open second");
        assertEquals(5.0, s.latencyMaxMs(), 1e-9);
        // two hours later the idle model records again: its old second closes into the total, counted once
        clock.update(T0 + 7_200_000);
        store.record(e.reset().model("idle").latencyMs(7).timestampMs(T0 + 7_200_000));
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(122, store.aggregates().window(null, T0, T0 + 7_201_000, s).count());
        assertEquals(61, store.aggregates().window(null, T0, T0 + 3_600_000, s).count());
        assertEquals(5.0, s.latencyMaxMs(), 1e-9);
        assertEquals(2, store.aggregates().window("idle", T0, T0 + 7_201_000, s).count());
    }

    @Test
    void shouldCoverTheLastFiveMinutesExactlyToTheSecondAtTheNewEnd() throws Exception {
        open(new StoreConfig());
        final Event e = new Event();
        long now = T0;
        for (int i = 0; i < 600; i++) {
            now = T0 + i * 1000L + 500;
            clock.update(now);
            store.record(e.reset().model("m").latencyMs(10));
            assertTrue(store.flush(5, TimeUnit.SECONDS), "undated events take the time they are consumed at");
        }
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        final WindowStats s = store.aggregates().window("m", now - 300_000, now, new WindowStats());
        // every second holds one event; five minutes back only the 10 s tier keeps the start: it widens to 290 s
        final long[] cover = expectedCover(now - 300_000, now, now);
        assertEquals(T0 + 290_000, cover[0]);
        assertEquals(T0 + 600_000, cover[1]);
        assertEquals(cover[0], s.coveredFromMs());
        assertEquals(cover[1], s.coveredToMs());
        assertEquals(310, s.count(), "one event in each second of 290..599");
        assertTrue(s.bucketsMerged() <= 30, "merged " + s.bucketsMerged());
    }

    @Test
    void shouldComputeRatesTokensCacheCostAndQuality() throws Exception {
        open(new StoreConfig());
        store.setPrice("gpt-4o", 2.5, 10.0);
        final Event e = new Event();
        for (int i = 0; i < 100; i++) {
            e.reset().model("gpt-4o").timestampMs(T0 + i * 10L).latencyMs(1000).ttftMs(200)
                .promptTokens(1000).completionTokens(400)
                .cache(i % 4 == 0 ? CacheResult.HIT : CacheResult.MISS)
                .status(i % 10 == 0 ? Status.ERROR : i % 25 == 1 ? Status.TIMEOUT : Status.OK)
                .retries(i % 5 == 0 ? 2 : 0)
                .quality("f1", i % 2 == 0 ? 0.8 : 0.6);
            if (i % 10 == 0) {
                e.errorType(i % 20 == 0 ? "rate_limit" : "server_error");
            }
            store.record(e);
        }
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        clock.update(T0 + 10_000);
        final WindowStats s = store.aggregates().window("gpt-4o", T0, T0 + 10_000, new WindowStats());
        assertEquals(100, s.count());
        assertEquals(10.0, s.requestsPerSecond(), 1e-9);
        assertEquals(0.10, s.errorRate(), 1e-9);
        assertEquals(0.04, s.timeoutRate(), 1e-9);
        assertEquals(0.20, s.retryRate(), 1e-9);
        assertEquals(40, s.retries());
        assertEquals(0.25, s.cacheHitRate(), 1e-9);
        assertEquals(140_000, s.totalTokens());
        assertEquals(14_000, s.tokensPerSecond(), 1e-9);
        assertEquals(500.0, s.outputTokensPerSecond(), 1e-9, "400 tokens in the 800 ms after the first token");
        assertEquals(100 * (1000 * 2.5 + 400 * 10.0) / 1e6, s.costUsd(), 1e-12);
        assertEquals((1000 * 2.5 + 400 * 10.0) / 1e6, s.costPerRequestUsd(), 1e-12);
        assertEquals(0.7, s.qualityMean("f1"), 1e-9);
        assertEquals(5L, s.errorsByType().get("rate_limit"));
        assertEquals(5L, s.errorsByType().get("server_error"));
        assertEquals(200.0, s.ttftMs(95), 2.0);
    }

    @Test
    void shouldPreferTheCallersCostOverThePriceTable() throws Exception {
        open(new StoreConfig());
        store.setPrice("m", 1, 1);
        final Event e = new Event();
        store.record(e.reset().model("m").timestampMs(T0).latencyMs(1).promptTokens(1_000_000).costUsd(0.5));
        store.record(e.reset().model("m").timestampMs(T0).latencyMs(1).promptTokens(1_000_000));
        store.record(e.reset().model("other").timestampMs(T0).latencyMs(1).promptTokens(1_000_000));
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        final WindowStats s = store.aggregates().window("m", T0, T0 + 1000, new WindowStats());
        assertEquals(1.5, s.costUsd(), 1e-12);
        store.aggregates().window(null, T0, T0 + 1000, s);
        assertEquals(3, s.count());
        assertEquals(2, s.pricedCount(), "the unpriced model adds no cost");
    }

    @Test
    void shouldGiveATimeSeriesEqualToWindowQueries() throws Exception {
        open(new StoreConfig());
        final Event e = new Event();
        clock.update(T0 + 3_600_000);
        for (int i = 0; i < 3600; i++) {
            for (int j = 0; j <= i % 7; j++) {
                store.record(e.reset().model("m").timestampMs(T0 + i * 1000L + j).latencyMs(1 + j));
            }
        }
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        final Series series = store.aggregates().series("m", Metric.COUNT, T0, T0 + 3_600_000, 60_000);
        assertEquals(60, series.size());
        long total = 0;
        for (int i = 0; i < series.size(); i++) {
            long expected = 0;
            for (int sec = i * 60; sec < i * 60 + 60; sec++) {
                expected += sec % 7 + 1;
            }
            assertEquals(T0 + i * 60_000L, series.startMs()[i]);
            assertEquals(expected, (long)series.values()[i], "minute " + i);
            total += expected;
        }
        assertEquals(total, store.aggregates().window("m", T0, T0 + 3_600_000, new WindowStats()).count());
    }

    @Test
    void shouldKeepTheLastNEventsNewestFirst() throws Exception {
        open(new StoreConfig().recentEventsPerModel(10));
        final Event e = new Event();
        for (int i = 0; i < 25; i++) {
            store.record(e.reset().model("m").timestampMs(T0 + i).latencyMs(i).pipeline("rag").step("retrieve"));
        }
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        final List<Event> recent = store.aggregates().recent("m", 100);
        assertEquals(10, recent.size());
        assertEquals(24.0, recent.get(0).latencyNs() / 1e6, 1e-9);
        assertEquals(15.0, recent.get(9).latencyNs() / 1e6, 1e-9);
        assertEquals("rag", recent.get(0).pipeline());
        assertEquals("retrieve", recent.get(0).step());
        assertEquals(3, store.aggregates().recent("m", 3).size());
        assertTrue(store.aggregates().recent("unknown", 3).isEmpty());
    }

    @Test
    void shouldGiveEveryModelAndTheTotal() throws Exception {
        open(new StoreConfig());
        final Event e = new Event();
        for (int i = 0; i < 30; i++) {
            store.record(e.reset().model("m" + i % 3).timestampMs(T0).latencyMs(1));
        }
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(List.of("m0", "m1", "m2"), store.aggregates().models());
        final WindowStats s = new WindowStats();
        for (final String m : store.aggregates().models()) {
            assertEquals(10, store.aggregates().window(m, T0, T0 + 1000, s).count());
        }
        assertEquals(30, store.aggregates().window(null, T0, T0 + 1000, s).count());
    }
    @Test
    void shouldSaturateAndCountSumsThatWouldOverflowRatherThanWrapNegative() throws Exception {
        open(new StoreConfig());
        final Event e = new Event();
        // 10,000 events at the top of every range in one second: the memory sum passes 2^63 after 8,192 of them and
        // the CPU sum after 107, while the latency sum (8.6e17 ns) and the token sum (2.1e13) still fit
        for (int i = 0; i < 10_000; i++) {
            assertTrue(store.record(e.reset().model("extreme").latencyNs(Event.MAX_DURATION_NS)
                .cpuNs(Event.MAX_CPU_NS).memoryBytes(Event.MAX_MEMORY_BYTES).promptTokens(Event.MAX_TOKENS)
                .timestampMs(T0)));
        }
        assertTrue(store.flush(10, TimeUnit.SECONDS));
        final WindowStats w = store.aggregates().window("extreme", T0, T0 + 1000, new WindowStats());
        assertEquals(10_000, w.count());
        assertTrue(w.cpuMeanMs() > 0, "a CPU sum that wrapped would read negative: " + w.cpuMeanMs());
        assertTrue(w.memoryBytesMean() > 0, "a memory sum that wrapped would read negative: " + w.memoryBytesMean());
        assertEquals(Long.MAX_VALUE / 1e6 / 10_000, w.cpuMeanMs(), 1e-3, "the saturated sum, a lower bound");
        assertEquals((double)Long.MAX_VALUE / 10_000, w.memoryBytesMean(), 1);
        assertTrue(w.saturatedSums() > 0, "the saturation is counted");
        assertEquals(Event.MAX_DURATION_NS / 1e6, w.latencyMeanMs(), 1e-3, "a sum that fits stays exact");
        assertEquals(10_000 * Event.MAX_TOKENS, w.promptTokens(), "a sum that fits stays exact");

        final WindowStats quiet = store.aggregates().window("extreme", T0 + 1000, T0 + 2000, new WindowStats());
        assertEquals(0, quiet.saturatedSums(), "only the window that saturated says so");
    }
}
