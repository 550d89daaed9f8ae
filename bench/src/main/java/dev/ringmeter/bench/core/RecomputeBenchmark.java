package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.cost.CostRecompute;
import dev.ringmeter.core.cost.MatchKind;
import dev.ringmeter.core.cost.PriceChange;
import dev.ringmeter.core.cost.PriceEntry;
import dev.ringmeter.core.cost.PriceTier;
import dev.ringmeter.core.journal.JournalScan;
import org.agrona.concurrent.CachedEpochClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A recompute of costs over N events on a durable store ({@code store.recomputeCosts}: journal the RECOMPUTE
 * record, read the range from the journal, price every event under the old and the new revision, send each change
 * through the ring and wait until the aggregate thread applied them all), beside a plain {@link JournalScan} of the
 * same range ({@code forEach}: every event decoded with its names, nothing kept), the baseline. {@code reprice}
 * changes the price of every event before each recompute (a new entry replaces the last one), so each call changes
 * all N; {@code unchanged} recomputes with no price change in between (every difference 0: the read and the pricing,
 * no changes sent). Events repriced per second: N divided by the time per call. {@code earlierRecomputes}: the store
 * first made that many recomputes of other ranges, which an event of this range must not be slowed by.
 * <p>
 * Run: {@code java $OPTS -Xmx4g -jar bench/target/benchmarks.jar RecomputeBenchmark -f 1}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
@State(Scope.Benchmark)
public class RecomputeBenchmark {
    private static final long T0 = 1_760_000_400_000L;
    private static final long SPAN_MS = 1_800_000;

    @Param({"1000000"})
    public int events;

    /** Recomputes of other ranges (before the events', one millisecond each) made before the measured ones. */
    @Param({"0", "1000"})
    public int earlierRecomputes;

    private Path dir;
    private EmbeddedStore store;
    private long entryId;
    private int factor;

    @Setup(Level.Trial)
    public void fill() throws Exception {
        dir = Files.createTempDirectory("ringmeter-recompute-bench");
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0 + SPAN_MS);
        store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
            .builtInPrices(false).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK));
        final SplittableRandom random = new SplittableRandom(5);
        final Event e = new Event();
        for (int i = 0; i < events; i++) {
            store.record(e.reset().timestampMs(T0 + (long)i * SPAN_MS / events).model("model-" + (i & 7))
                .step("step-" + random.nextInt(3)).latencyNs(random.nextLong(20_000_000L, 3_000_000_000L))
                .promptTokens(random.nextInt(100, 4000)).cachedTokens(random.nextInt(0, 100))
                .completionTokens(random.nextInt(100, 1000)).reasoningTokens(random.nextInt(0, 100))
                .status(random.nextInt(20) == 0 ? Status.ERROR : Status.OK));
        }
        if (!store.flush(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not flushed");
        }
        for (int r = 0; r < earlierRecomputes; r++) {
            store.recomputeCosts(T0 - r - 1, T0 - r, 60_000);
        }
        newPrice();
    }

    /** Replaces the price of every model, so that the next recompute changes every event's cost. */
    private void newPrice() throws InterruptedException {
        factor++;
        final PriceChange put = store.putPriceEntry(new PriceEntry(0, 0, false, MatchKind.PREFIX, "model-", 0,
            new PriceTier(0, 2.0 * factor, 8.0 * factor, 1.0 * factor, Double.NaN, 20.0 * factor),
            new PriceTier[0]), 60_000);
        if (put == null || entryId != 0 && store.removePriceEntry(entryId, 60_000) == null) {
            throw new IllegalStateException("the price change was not applied");
        }
        entryId = put.appliedId();
    }

    /** Before each {@code reprice} call: a new price. */
    @State(Scope.Thread)
    public static class PriceChanged {
        @Setup(Level.Invocation)
        public void change(final RecomputeBenchmark bench) throws InterruptedException {
            bench.newPrice();
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private CostRecompute.Report recompute(final long expectChanged) throws InterruptedException {
        final CostRecompute.Report r = store.recomputeCosts(T0, T0 + SPAN_MS, 600_000);
        if (r.repriced() != events || expectChanged >= 0 && r.changed() != expectChanged) {
            throw new IllegalStateException("a recompute of " + events + " events did " + r);
        }
        return r;
    }

    @Benchmark
    public CostRecompute.Report reprice(final PriceChanged changed) throws InterruptedException {
        return recompute(events);
    }

    @Benchmark
    public CostRecompute.Report unchanged() throws InterruptedException {
        return recompute(-1);
    }

    @Benchmark
    public long scan() {
        final long[] sum = new long[1];
        final long n = new JournalScan(store).between(T0, T0 + SPAN_MS).timeLimitMs(600_000)
            .forEach(e -> sum[0] += e.promptTokens());
        if (n != events) {
            throw new IllegalStateException("the scan read " + n + " of " + events + " events");
        }
        return sum[0] + n;
    }
}
