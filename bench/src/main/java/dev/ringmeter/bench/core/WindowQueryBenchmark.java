package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.query.WindowStats;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * "P95 latency and tokens/s of one model over the last 5 minutes" (and the last hour) over a store holding
 * {@code events} events of 10 models spread over the last hour. The cost must not grow with the number of events.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class WindowQueryBenchmark {
    private static final long NOW = 1_760_000_400_000L + 3_600_000L;

    @Param({"10000", "10000000"})
    public int events;

    private static final int MODELS = 10;

    private EmbeddedStore store;
    private final WindowStats stats = new WindowStats();

    @Setup(Level.Trial)
    public void fill() throws InterruptedException {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(NOW);
        store = EmbeddedStore.open(new StoreConfig().clock(clock).ringSize(65536)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK)
            .cardinalityLimit(Dimension.MODEL, MODELS));   // the query's cost measured, not the heap budget
        final SplittableRandom random = new SplittableRandom(3);
        final Event e = new Event();
        final long spanMs = 3_600_000L;
        for (int i = 0; i < events; i++) {
            final long t = NOW - spanMs + (long)i * spanMs / events;
            store.record(e.reset().model("model-" + (i % MODELS)).timestampMs(t)
                .latencyNs(random.nextLong(50_000_000L, 5_000_000_000L)).ttftMs(random.nextInt(50, 500))
                .promptTokens(random.nextInt(100, 4000)).completionTokens(random.nextInt(10, 1000))
                .status(random.nextInt(100) == 0 ? Status.ERROR : Status.OK));
        }
        store.flush(60, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
    }

    @Benchmark
    public double p95AndTokensPerSecondLast5Minutes() {
        store.aggregates().window("model-3", NOW - 300_000, NOW, stats);
        return stats.latencyMs(95) + stats.tokensPerSecond();
    }

    @Benchmark
    public double p95AndTokensPerSecondLastHour() {
        store.aggregates().window("model-3", NOW - 3_600_000, NOW, stats);
        return stats.latencyMs(95) + stats.tokensPerSecond();
    }

    @Benchmark
    public double p95AllModelsLast5Minutes() {
        store.aggregates().window(null, NOW - 300_000, NOW, stats);
        return stats.latencyMs(95);
    }
}
