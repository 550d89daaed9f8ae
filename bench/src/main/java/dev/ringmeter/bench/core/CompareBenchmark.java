package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.query.Comparison;
import dev.ringmeter.core.query.Comparison.Source;
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
 * A two-key comparison (model x configuration over the last 30 minutes: 4 models x 20 configurations, 3 steps)
 * on a durable store filled once with N events, answered from the in-memory combinations and by a journal scan of
 * the same store; the ratio of the two is the point. The store's clock stands still at the end of the events, so
 * both answer over the same range.
 * <p>
 * Run: {@code java $OPTS -Xmx4g -jar bench/target/benchmarks.jar CompareBenchmark -f 1 -wi 1 -i 3}.
 * <p>
 * Threading: JMH measures it on one thread; its state (Scope.Benchmark) is set up once per trial.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class CompareBenchmark {
    private static final long T0 = 1_760_000_400_000L;
    private static final long SPAN_MS = 1_800_000;

    @Param({"1000000", "10000000"})
    public int events;

    private Path dir;
    private EmbeddedStore store;

    @Setup(Level.Trial)
    public void fill() throws Exception {
        dir = Files.createTempDirectory("ringmeter-compare-bench");
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0 + SPAN_MS);
        store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK));
        final SplittableRandom random = new SplittableRandom(7);
        final Event e = new Event();
        for (int i = 0; i < events; i++) {
            store.record(e.reset().timestampMs(T0 + (long)i * SPAN_MS / events).model("model-" + (i & 3))
                .config("config-" + random.nextInt(20)).step("step-" + random.nextInt(3))
                .latencyNs(random.nextLong(20_000_000L, 3_000_000_000L)).promptTokens(random.nextInt(100, 4000))
                .completionTokens(random.nextInt(1, 1000)).costUsd(0.001)
                .status(random.nextInt(20) == 0 ? Status.ERROR : Status.OK));
        }
        if (!store.flush(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not flushed");
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Comparison compare(final Source source) {
        return store.compare().by(Dimension.MODEL, Dimension.CONFIG).between(T0, T0 + SPAN_MS).source(source)
            .timeLimitMs(600_000).run();
    }

    @Benchmark
    public Comparison memory() {
        return compare(Source.MEMORY);
    }

    @Benchmark
    public Comparison scan() {
        return compare(Source.SCAN);
    }
}
