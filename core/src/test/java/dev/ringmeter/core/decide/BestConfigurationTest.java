package dev.ringmeter.core.decide;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The best configuration's ranking on a worked example whose scores this test computes, its ties, single
 * candidate and missing components, its weights' errors, and its adapter from a real store's window.
 */
@Timeout(60)
class BestConfigurationTest {
    private static final long T0 = 1_760_000_400_000L;

    /** Three configurations: quality, P95 latency ms, cost per success USD, success rate. */
    private static Map<String, Components> threeConfigurations() {
        final Map<String, Components> candidates = new LinkedHashMap<>();
        candidates.put("gpt-4o t=0.2", new Components(0.86, 1_800, 0.012, 0.95));
        candidates.put("claude t=0.7", new Components(0.90, 2_400, 0.018, 0.97));
        candidates.put("llama t=0.2", new Components(0.78, 900, 0.004, 0.90));
        return candidates;
    }

    private static Ranking find(final List<Ranking> ranking, final String name) {
        return ranking.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void shouldRankTheWorkedExampleWithTheScoresComputedByHand() {
        final List<Ranking> ranking = BestConfiguration.rank(threeConfigurations(), new Weights(3, 1, 2, 2));
        // normalised (1 = best):   quality          latency                cost                      success
        // gpt-4o                   (.86-.78)/.12    (2400-1800)/1500 = .4  (.018-.012)/.014 = 3/7   (.95-.90)/.07 = 5/7
        // claude                   1                0                      0                        1
        // llama                    0                1                      1                        0
        final double gpt = 100 * (3 * (0.08 / 0.12) + 1 * 0.4 + 2 * (3.0 / 7) + 2 * (5.0 / 7)) / 8;
        assertEquals(List.of("claude t=0.7", "gpt-4o t=0.2", "llama t=0.2"),
            ranking.stream().map(Ranking::name).toList());
        assertEquals(62.5, ranking.get(0).score(), 1e-9);
        assertEquals(gpt, ranking.get(1).score(), 1e-9);
        assertEquals(58.571428571, ranking.get(1).score(), 1e-6);
        assertEquals(37.5, ranking.get(2).score(), 1e-9);
        assertEquals(List.of(1, 2, 3), ranking.stream().map(Ranking::rank).toList());
        // every step of one component is shown
        final ComponentScore cost = find(ranking, "gpt-4o t=0.2").components().get(Component.COST_PER_SUCCESS
            .ordinal());
        assertEquals(Component.COST_PER_SUCCESS, cost.component());
        assertEquals(0.012, cost.raw());
        assertEquals(3.0 / 7, cost.normalised(), 1e-12);
        assertEquals(2, cost.weight());
        assertEquals(100 * 2 * (3.0 / 7) / 8, cost.weighted(), 1e-9);
        assertFalse(cost.missing());
        for (final Ranking r : ranking) {
            assertEquals(r.score(), r.components().stream().mapToDouble(ComponentScore::weighted).sum(), 1e-9);
        }
    }

    @Test
    void shouldLetTheWeightsChangeTheWinner() {
        // cost three times as important as the rest: the cheap, fast llama wins
        final List<Ranking> ranking = BestConfiguration.rank(threeConfigurations(), new Weights(1, 1, 3, 1));
        assertEquals("llama t=0.2", ranking.get(0).name());
        assertEquals(100 * (1 + 3) / 6.0, ranking.get(0).score(), 1e-9);
        assertEquals(100 * (1 + 1) / 6.0, find(ranking, "claude t=0.7").score(), 1e-9);
        // a weight of 0 leaves its component shown but out of the score
        final List<Ranking> latencyOnly = BestConfiguration.rank(threeConfigurations(), new Weights(0, 1, 0, 0));
        assertEquals(List.of(100.0, 40.0, 0.0), latencyOnly.stream().map(r -> Math.round(r.score() * 1e9) / 1e9)
            .toList());
        assertEquals(0.90, find(latencyOnly, "claude t=0.7").components().get(0).raw());
        assertEquals(0, find(latencyOnly, "claude t=0.7").components().get(0).weighted());
    }

    @Test
    void shouldGiveOneToEveryValueOfATieOrASingleCandidate() {
        final Map<String, Components> alone = Map.of("only", new Components(0.5, 1_000, 0.01, 0.8));
        final Ranking only = BestConfiguration.rank(alone, Weights.EQUAL).get(0);
        assertEquals(100, only.score(), 1e-9);
        assertTrue(only.components().stream().allMatch(c -> c.normalised() == 1));
        assertEquals(1, only.rank());

        final Map<String, Components> tie = new LinkedHashMap<>();
        tie.put("b", new Components(0.9, 1_000, 0.01, 0.9));
        tie.put("a", new Components(0.9, 1_000, 0.01, 0.9));
        tie.put("c", new Components(0.8, 1_000, 0.01, 0.9));
        final List<Ranking> ranking = BestConfiguration.rank(tie, Weights.EQUAL);
        // latency, cost and success tie for all three (1 each); quality: a and b best, c worst
        assertEquals(List.of("a", "b", "c"), ranking.stream().map(Ranking::name).toList());
        assertEquals(List.of(1, 1, 3), ranking.stream().map(Ranking::rank).toList());
        assertEquals(100, ranking.get(0).score(), 1e-9);
        assertEquals(75, ranking.get(2).score(), 1e-9);
        assertTrue(BestConfiguration.rank(Map.of(), Weights.EQUAL).isEmpty());
    }

    @Test
    void shouldCountAMissingComponentAsTheWorstAndFlagIt() {
        final Map<String, Components> candidates = threeConfigurations();
        // no event of this one was priced: its cost is unknown, not $0
        candidates.put("mistral t=0.2", new Components(0.84, 1_200, Double.NaN, 0.96));
        final List<Ranking> ranking = BestConfiguration.rank(candidates, Weights.EQUAL);
        final Ranking mistral = find(ranking, "mistral t=0.2");
        final ComponentScore cost = mistral.components().get(Component.COST_PER_SUCCESS.ordinal());
        assertTrue(cost.missing() && mistral.incomplete());
        assertTrue(Double.isNaN(cost.raw()));
        assertEquals(0, cost.normalised());
        assertEquals(0, cost.weighted());
        // the others' costs are normalised among themselves, as before
        assertEquals(3.0 / 7, find(ranking, "gpt-4o t=0.2").components().get(Component.COST_PER_SUCCESS.ordinal())
            .normalised(), 1e-12);
        assertFalse(find(ranking, "gpt-4o t=0.2").incomplete());
        // quality (.84 - .78) / .12 = .5, latency (2400 - 1200) / 1500 = .8, success (.96 - .90) / .07 = 6/7
        assertEquals(100 * (0.5 + 0.8 + 0 + 6.0 / 7) / 4, mistral.score(), 1e-9);

        // a component nobody has counts 0 for all and changes no place
        final Map<String, Components> noQuality = new LinkedHashMap<>();
        noQuality.put("x", new Components(Double.NaN, 1_000, 0.01, 0.9));
        noQuality.put("y", new Components(Double.NaN, 2_000, 0.01, 0.9));
        final List<Ranking> withoutQuality = BestConfiguration.rank(noQuality, Weights.EQUAL);
        assertEquals("x", withoutQuality.get(0).name());
        assertEquals(75, withoutQuality.get(0).score(), 1e-9);
        assertEquals(50, withoutQuality.get(1).score(), 1e-9);
        assertTrue(withoutQuality.stream().allMatch(Ranking::incomplete));
    }

    @Test
    void shouldRefuseBadWeightsAndComponentsNamingThem() {
        assertEquals("weights.p95Latency must be a finite number at least 0, got -1.0", assertThrows(
            IllegalArgumentException.class, () -> new Weights(1, -1, 1, 1)).getMessage());
        assertEquals("weights.quality must be a finite number at least 0, got NaN", assertThrows(
            IllegalArgumentException.class, () -> new Weights(Double.NaN, 1, 1, 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Weights(1, 1, Double.POSITIVE_INFINITY, 1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Weights(0, 0, 0, 0)).getMessage()
            .startsWith("weights: at least one of"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> new Weights(Double.MAX_VALUE, Double.MAX_VALUE, 0, 0)).getMessage()
            .startsWith("weights: their sum must be finite"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Components(0.5, 100, 0.01, 1.5))
            .getMessage().startsWith("successRate must be NaN (missing) or a finite number from 0.0 to 1.0"));
        assertThrows(IllegalArgumentException.class, () -> new Components(0.5, -1, 0.01, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Components(Double.POSITIVE_INFINITY, 1, 0.01, 0.5));
    }

    @Test
    void shouldTakeTheComponentsFromAStoresWindow() throws InterruptedException {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        final SplittableRandom random = new SplittableRandom(21);
        final int n = 2_000;
        final long[] latencyUs = new long[n];
        long ok = 0;
        double costUsd = 0;
        double qualitySum = 0;
        int qualityCount = 0;
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().clock(clock)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK))) {
            final Event e = new Event();
            for (int i = 0; i < n; i++) {
                latencyUs[i] = random.nextLong(100_000, 3_000_000);
                final Status status = random.nextInt(10) == 0 ? Status.ERROR : Status.OK;
                final double cost = random.nextInt(1, 100) / 10_000.0;
                costUsd += cost;
                double quality = Double.NaN;
                if (status == Status.OK) {
                    ok++;
                    quality = random.nextInt(0, 101) / 100.0;
                    qualitySum += quality;
                    qualityCount++;
                }
                for (final String model : new String[] {"gpt-4o", "local-llama"}) {
                    // the same calls by a model no price is known for
                    e.reset().model(model).latencyNs(latencyUs[i] * 1000).status(status).timestampMs(T0 - 50_000 + i);
                    if (model.equals("gpt-4o")) {
                        e.costUsd(cost);
                    }
                    if (!Double.isNaN(quality)) {
                        e.quality("accuracy", quality);
                    }
                    store.record(e);
                }
            }
            assertTrue(store.flush(30, TimeUnit.SECONDS));
            final WindowStats stats = store.aggregates().window("gpt-4o", T0 - 60_000, T0 + 1,
                store.aggregates().newWindowStats());
            final Components c = Components.of(stats, "accuracy");
            assertEquals((double)ok / n, c.successRate(), 1e-12);
            assertEquals(costUsd / ok, c.costPerSuccessUsd(), 1e-9);
            assertEquals(qualitySum / qualityCount, c.qualityMean(), 1e-9);
            Arrays.sort(latencyUs);
            final double exactP95Ms = latencyUs[(int)Math.ceil(0.95 * n) - 1] / 1000.0;
            assertEquals(exactP95Ms, c.p95LatencyMs(), exactP95Ms * 0.01);
            assertTrue(Double.isNaN(Components.of(stats, "helpfulness").qualityMean()));
            assertTrue(Double.isNaN(Components.of(stats, null).qualityMean()));

            final Components unpriced = Components.of(store.aggregates().window("local-llama", T0 - 60_000, T0 + 1,
                store.aggregates().newWindowStats()), "accuracy");
            assertTrue(Double.isNaN(unpriced.costPerSuccessUsd()), "cost unknown is not $0");
            assertEquals(c.successRate(), unpriced.successRate());

            final Components nothing = Components.of(store.aggregates().window("gpt-4o", T0 - 600_000, T0 - 300_000,
                store.aggregates().newWindowStats()), "accuracy");
            assertTrue(Double.isNaN(nothing.successRate()) && Double.isNaN(nothing.p95LatencyMs())
                && Double.isNaN(nothing.costPerSuccessUsd()) && Double.isNaN(nothing.qualityMean()));
        }
    }
}
