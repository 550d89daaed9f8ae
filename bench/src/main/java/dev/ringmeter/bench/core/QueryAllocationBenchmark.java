package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.query.Comparison;
import dev.ringmeter.core.query.Comparison.Source;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What a query allocates (run it with {@code -prof gc}: gc.alloc.rate.norm is the bytes per query), and its time, over
 * an in-memory store holding {@code events} events of {@code models} models, each with one of 20 configurations,
 * spread over the last 24 hours:
 * <ul>
 *     <li>all-model analytics over the last 5 minutes, hour and 24 hours, as {@code GET /api/v1/analytics} computes
 *     them: each model's window and all models' together, into one reused {@link WindowStats};</li>
 *     <li>a two-key comparison (model x configuration, last 30 minutes) from memory, as {@code GET /api/v1/compare};</li>
 *     <li>the comparison {@code GET /api/v1/best} ranks: by configuration over the last hour, from memory.</li>
 * </ul>
 * The point is what grows with the events or buckets rather than with the answer: at a fixed number of models, the
 * bytes per query must be the same at 10 K and 1 M events (bench/scripts/jmh-gate.sh holds them to it). Besides
 * {@code -prof gc}'s gc.alloc.rate.norm (every thread's allocation, the store's own threads included, divided by the
 * queries), the {@link CallerBytes} counters give the querying thread's own: {@code callerBytes / queries} is what
 * one query allocates, unaffected by what the store's other threads do meanwhile.
 * <p>
 * Run: {@code java $OPTS -jar bench/target/benchmarks.jar QueryAllocationBenchmark -prof gc -f 1 -wi 3 -i 5 -w 1 -r 1}.
 * <p>
 * Threading: JMH measures it on one thread; its state (Scope.Benchmark) is set up once per trial.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class QueryAllocationBenchmark {
    private static final long NOW = 1_760_000_400_000L + 86_400_000L;
    private static final long SPAN_MS = 86_400_000L;
    private static final int CONFIGS = 20;

    @Param({"1", "10", "100"})
    public int models;

    @Param({"10000", "1000000"})
    public int events;

    private EmbeddedStore store;
    private Aggregates aggregates;
    private WindowStats stats;

    @Setup(Level.Trial)
    public void fill() throws InterruptedException {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(NOW);
        store = EmbeddedStore.open(new StoreConfig().clock(clock).ringSize(65536)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK)
            .cardinalityLimit(Dimension.MODEL, models));   // the query's cost measured, not the heap budget
        final String[] modelNames = new String[models];
        for (int m = 0; m < models; m++) {
            modelNames[m] = "model-" + m;
        }
        final String[] configNames = new String[CONFIGS];
        for (int c = 0; c < CONFIGS; c++) {
            configNames[c] = "config-" + c;
        }
        final SplittableRandom random = new SplittableRandom(5);
        final Event e = new Event();
        for (int i = 0; i < events; i++) {
            store.record(e.reset().model(modelNames[i % models]).config(configNames[random.nextInt(CONFIGS)])
                .timestampMs(NOW - SPAN_MS + (long)i * SPAN_MS / events)
                .latencyNs(random.nextLong(50_000_000L, 5_000_000_000L)).ttftMs(random.nextInt(50, 500))
                .promptTokens(random.nextInt(100, 4000)).completionTokens(random.nextInt(10, 1000)).costUsd(0.001)
                .status(random.nextInt(100) == 0 ? Status.ERROR : Status.OK));
        }
        if (!store.flush(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not flushed");
        }
        aggregates = store.aggregates();
        stats = aggregates.newWindowStats();
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
    }

    /**
     * The bytes the querying thread allocated and the queries it made in an iteration (JMH sums each over the
     * iteration): their ratio is the bytes of one query.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class CallerBytes {
        private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        public long callerBytes;
        public long queries;

        @Setup(Level.Iteration)
        public void reset() {
            callerBytes = 0;
            queries = 0;
        }

        long start() {
            return THREADS.getCurrentThreadAllocatedBytes();
        }

        void end(final long start) {
            callerBytes += THREADS.getCurrentThreadAllocatedBytes() - start;
            queries++;
        }
    }

    /** Each model's window and all models' together, as the analytics route computes them before writing each. */
    private double allModels(final long windowMs, final CallerBytes bytes) {
        final long start = bytes.start();
        final List<String> names = aggregates.models();
        double sum = 0;
        for (final String name : names) {
            sum += aggregates.window(name, NOW - windowMs, NOW, stats).latencyMs(95);
        }
        sum += aggregates.window(null, NOW - windowMs, NOW, stats).latencyMs(95);
        bytes.end(start);
        return sum;
    }

    @Benchmark
    public double allModelsLast5Minutes(final CallerBytes bytes) {
        return allModels(300_000, bytes);
    }

    @Benchmark
    public double allModelsLastHour(final CallerBytes bytes) {
        return allModels(3_600_000, bytes);
    }

    @Benchmark
    public double allModelsLast24Hours(final CallerBytes bytes) {
        return allModels(SPAN_MS, bytes);
    }

    @Benchmark
    public Comparison compareModelByConfig(final CallerBytes bytes) {
        final long start = bytes.start();
        final Comparison c = store.compare().by(Dimension.MODEL, Dimension.CONFIG).between(NOW - 1_800_000, NOW)
            .source(Source.MEMORY).run();
        bytes.end(start);
        return c;
    }

    @Benchmark
    public Comparison bestConfig(final CallerBytes bytes) {
        final long start = bytes.start();
        final Comparison c = store.compare().by(Dimension.CONFIG).between(NOW - 3_600_000, NOW).source(Source.MEMORY)
            .run();
        bytes.end(start);
        return c;
    }
}
