package dev.ringmeter.bench.core;

import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.cost.BuiltInPrices;
import dev.ringmeter.core.cost.MatchKind;
import dev.ringmeter.core.cost.PriceBook;
import dev.ringmeter.core.cost.PriceChange;
import dev.ringmeter.core.cost.PriceEntry;
import dev.ringmeter.core.cost.PriceTier;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What stamping an event's cost costs the ring's first consumer: {@link PriceBook#stamp} with 50 user entries (20
 * exact, 20 prefix, 10 regular expressions, each model with two effective-from dates) and the built-in list, over
 * 8 models. Steady state: every model's candidates are resolved (once, after the last change), so this measures
 * the per-event path, which must allocate nothing (run with {@code -prof gc}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class CostStampBenchmark {
    private static final long T0 = 1_760_000_400_000L;
    private static final double NA = Double.NaN;

    private PriceBook book;
    private final EventSlot[] events = new EventSlot[8];
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        final StoreConfig config = new StoreConfig().conclude();
        final Dictionary dictionary = new Dictionary(config.cardinalityLimits(), config.maxStringLength());
        book = new PriceBook(dictionary, BuiltInPrices.standard());
        for (int k = 0; k < 10; k++) {
            put(MatchKind.EXACT, "model-" + k, 0, k);
            put(MatchKind.EXACT, "model-" + k, T0 - 60_000, k + 1);
            put(MatchKind.PREFIX, "model-" + k + "-", 0, k);
            put(MatchKind.PREFIX, "family-" + k, T0 - 60_000, k);
            put(MatchKind.REGEX, "(vendor" + k + "\\.)?model-" + k + "[a-z-]*-v[0-9]+", 0, k);
        }
        final String[] models = {"model-1", "model-2-mini", "family-3-large", "vendor4.model-4-x-v2", "gpt-4o",
            "claude-sonnet-4-20250514", "model-9", "unpriced-model"};
        for (int m = 0; m < events.length; m++) {
            final EventSlot e = new EventSlot();
            e.kind = EventSlot.KIND_EVENT;
            e.model = dictionary.id(Dimension.MODEL, models[m]);
            e.timestampMs = T0;
            e.promptTokens = 250_000 - m * 30_000;
            e.completionTokens = 900;
            e.cachedTokens = 1000;
            e.cacheWriteTokens = 0;
            e.reasoningTokens = 300;
            events[m] = e;
        }
    }

    private void put(final MatchKind match, final String pattern, final long fromMs, final int k) {
        book.apply(PriceChange.put(new PriceEntry(0, 0, false, match, pattern, fromMs,
            new PriceTier(0, 1 + k, 4 + k, 0.5, NA, NA),
            new PriceTier[] {new PriceTier(200_000, 2 + k, 8 + k, 1, NA, NA)})));
    }

    @Benchmark
    public double stamp() {
        final EventSlot e = events[i++ & 7];
        e.costUsd = Double.NaN;
        book.stamp(e);
        return e.costUsd;
    }
}
