package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.query.WindowStats;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code record()} latency while the store takes a large snapshot every second and a scraper reads what
 * {@code /metrics} reads (every model's totals and the store's stats) and an all-models 5-minute window, every
 * 10 ms. The store is durable, with 50 models whose four tiers are all in use (events spread over the last day,
 * latencies from 1 µs to 30 s, so every histogram has grown), a ring of 8,192 slots and the BLOCK policy. The
 * caller is paced ({@code Blackhole.consumeCPU}, a few hundred thousand events/s here) so that the consumers keep
 * up and the ring stays nearly empty but for their pauses: a pause of the aggregate thread longer than the ring's
 * worth of events fills it and shows in the caller's latency. Sample time; read P99.9 and above.
 * Uses only the store's public API, so the same class runs against an earlier build for a before-and-after.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class SnapshotPauseBenchmark {
    static final int MODELS = 50;

    @State(Scope.Benchmark)
    public static class Store {
        Path data;
        EmbeddedStore store;
        Thread scraper;
        volatile boolean stop;
        final String[] models = new String[MODELS];

        @Setup(Level.Trial)
        public void open() throws InterruptedException {
            data = DurableRecordBenchmark.tempDirectory("ringmeter-snapshot-bench");
            store = EmbeddedStore.open(new StoreConfig().dataDirectory(data).shutdownHook(false)
                .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).snapshotIntervalMs(1_000)
                .journalBlockBytes(64L << 20));
            final Event e = new Event();
            final long now = System.currentTimeMillis();
            final long[] stepsMs = {1_000, 10_000, 60_000, 3_600_000};
            final int[] counts = {60, 60, 90, 24};
            for (int m = 0; m < MODELS; m++) {
                models[m] = "model-" + m;
                for (int tier = 0; tier < stepsMs.length; tier++) {
                    for (int j = 0; j < counts[tier]; j++) {
                        for (int k = 0; k < 8; k++) {   // 1 µs to 30 s: the histograms grow to their full size
                            final long latencyNs = 1_000L << (k * 3 + (j + m) % 3);
                            store.record(e.reset().model(models[m]).timestampMs(now - j * stepsMs[tier] - k)
                                .latencyNs(latencyNs).ttftNs(latencyNs / 2).queueWaitNs(latencyNs / 4)
                                .promptTokens(100 + j).completionTokens(10 + k));
                        }
                    }
                }
            }
            store.flush(60, TimeUnit.SECONDS);
            scraper = new Thread(() -> {
                final WindowStats stats = new WindowStats();
                while (!stop) {
                    store.aggregates().totals();
                    store.stats();
                    final long t = System.currentTimeMillis();
                    store.aggregates().window(null, t - 300_000, t, stats);
                    LockSupport.parkNanos(10_000_000L);
                }
            }, "scraper");
            scraper.setDaemon(true);
            scraper.start();
        }

        @TearDown(Level.Iteration)
        public void drain() throws InterruptedException {
            store.flush(60, TimeUnit.SECONDS);
        }

        @TearDown(Level.Trial)
        public void close() throws InterruptedException {
            stop = true;
            scraper.join(10_000);
            System.out.println("stats at the end: " + store.stats());
            store.close();
            DurableRecordBenchmark.deleteTree(data);
        }
    }

    @State(Scope.Thread)
    public static class Caller {
        final Event event = new Event();
        int next;
    }

    private static final long PACE_TOKENS = 2_000;

    @Benchmark
    public boolean record(final Store s, final Caller c) {
        Blackhole.consumeCPU(PACE_TOKENS);
        final int m = c.next++ % MODELS;
        return s.store.record(c.event.reset().model(s.models[m]).latencyNs(1_000_000L + m)
            .promptTokens(120).completionTokens(40));
    }
}
