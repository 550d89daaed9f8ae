package dev.ringmeter.bench.core;

import dev.ringmeter.MetricSample;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.aggregate.AggregateApplyHarness;
import org.agrona.concurrent.CachedEpochClock;
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
 * The consumer side of a custom metric sample with tags: finding its series among its name's (by the names of its
 * tag ids) and adding its value to the tiers and their value histograms, as the aggregate writer does. Eight GPUs'
 * utilization, each sample tagged with its gpu and host, so the series lookup scans up to eight series. Run with
 * {@code -prof gc} to see the allocation per sample (0 B/op in steady state). {@link #applyWeightedSample} does the same
 * with samples standing for many observations each (an OTLP histogram bucket's count, {@link MetricSample#count}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class MetricSampleBenchmark {
    private static final long T0 = 1_760_000_400_000L;

    private final CachedEpochClock clock = new CachedEpochClock();
    private AggregateApplyHarness harness;
    private final int[] slots = new int[8];
    private final int[] weighted = new int[8];
    private long timeMs = T0;
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        clock.update(T0);
        harness = new AggregateApplyHarness(new StoreConfig().clock(clock));
        for (int gpu = 0; gpu < slots.length; gpu++) {
            slots[gpu] = harness.fill(new MetricSample().name("gpu.utilization").value(12.5 + gpu * 11)
                .tag("host", "node-1").tag("gpu", Integer.toString(gpu)).timestampMs(T0));
            weighted[gpu] = harness.fill(new MetricSample().name("gen_ai.client.operation.duration")
                .value(0.25 + gpu * 0.5).count(40 + gpu).tag("model", "gpt-4o").tag("bucket", Integer.toString(gpu))
                .timestampMs(T0));
        }
    }

    @Benchmark
    public void applyTaggedSample() {
        final int n = i++;
        if ((n & 0xFFFF) == 0) {
            timeMs += 1;   // time moves on: ~65 K samples per simulated millisecond
            clock.update(timeMs);
        }
        harness.apply(slots[n & 7], timeMs);
    }

    @Benchmark
    public void applyWeightedSample() {
        final int n = i++;
        if ((n & 0xFFFF) == 0) {
            timeMs += 1;
            clock.update(timeMs);
        }
        harness.apply(weighted[n & 7], timeMs);
    }
}
