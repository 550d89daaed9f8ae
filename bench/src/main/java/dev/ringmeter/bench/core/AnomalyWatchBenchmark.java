package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
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
 * One tick of the store's anomaly watch that closes one minute for each of {@code models} models (20 calls a
 * minute each, log-normal latencies): for each model, the minute's window read from the aggregates and six
 * detectors fed. The minute is recorded and the clock moved in the per-invocation setup, outside the measurement.
 * <p>
 * Threading: JMH measures it on one thread; the store's own threads run as they do in production (the watch's
 * thread is set to tick once a minute of real time, so it does not compete).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class AnomalyWatchBenchmark {
    private static final long T0 = 1_760_000_400_000L;
    private static final long MINUTE_MS = 60_000;

    @Param({"10", "100"})
    public int models;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final SplittableRandom random = new SplittableRandom(13);
    private final Event event = new Event();
    private String[] names;
    private EmbeddedStore store;
    private int minute;

    @Setup(Level.Trial)
    public void open() throws InterruptedException {
        clock.update(T0);
        store = EmbeddedStore.open(new StoreConfig().clock(clock).anomalyIntervalMs(60_000)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK)
            // the heap budget plans for every bucket of every model at its widest; 20 calls a minute hold far less
            .cardinalityLimit(dev.ringmeter.core.dictionary.Dimension.MODEL, models));
        names = new String[models];
        for (int m = 0; m < models; m++) {
            names[m] = "model-" + m;
        }
        for (int i = 0; i < 120; i++) {
            nextMinute();
            store.anomalyWatch().tick();   // primes at the first, then fills the baselines
        }
    }

    /** Records the next minute of every model and moves the clock so that it is closed. */
    @Setup(Level.Invocation)
    public void nextMinute() throws InterruptedException {
        final long start = T0 + minute * MINUTE_MS;
        for (final String name : names) {
            for (int j = 0; j < 20; j++) {
                store.record(event.reset().model(name).status(Status.OK).timestampMs(start + j * 3_000)
                    .latencyMs((long)(1000 * Math.exp(0.2 * random.nextGaussian()))));
            }
        }
        if (!store.flush(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not flushed");
        }
        minute++;
        clock.update(T0 + (minute + 1) * MINUTE_MS + store.config().anomalyLatenessMs());
    }

    @Benchmark
    public void tick() {
        store.anomalyWatch().tick();
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
    }
}
