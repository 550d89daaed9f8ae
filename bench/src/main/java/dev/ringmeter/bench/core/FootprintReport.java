package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import org.agrona.concurrent.CachedEpochClock;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Measures the heap an embedded store holds for N models with every bucket of every tier in use: it records
 * {@code eventsPerSecond} events per second per model, with latency, TTFT, queue wait, tokens and some errors,
 * over simulated time longer than the retention, then reports the store's own estimate and the heap measured
 * after a full GC, per model and per bucket.
 * <p>
 * Run: {@code java -cp bench/target/benchmarks.jar dev.ringmeter.bench.core.FootprintReport [models] [eventsPerSecond]}
 */
public final class FootprintReport {
    private FootprintReport() {
    }

    public static void main(final String[] args) throws Exception {
        final int models = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        final int perSecond = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        final long heapBefore = usedHeapAfterGc();
        final CachedEpochClock clock = new CachedEpochClock();
        final long start = 1_760_000_400_000L;
        clock.update(start);
        final StoreConfig config = new StoreConfig().clock(clock).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK);
        try (EmbeddedStore store = EmbeddedStore.open(config)) {
            final long ringOnly = usedHeapAfterGc() - heapBefore;
            final SplittableRandom random = new SplittableRandom(11);
            final Event e = new Event();
            final long seconds = TimeUnit.HOURS.toSeconds(25);
            for (long s = 0; s < seconds; s++) {
                final long t = start + s * 1000;
                clock.update(t);
                for (int m = 0; m < models; m++) {
                    for (int k = 0; k < perSecond; k++) {
                        final boolean failed = random.nextInt(50) == 0;
                        store.record(e.reset().model("model-" + m).timestampMs(t)
                            .latencyNs(random.nextLong(20_000_000L, 30_000_000_000L))
                            .ttftNs(random.nextLong(5_000_000L, 3_000_000_000L))
                            .queueWaitNs(random.nextLong(1_000L, 500_000_000L))
                            .promptTokens(random.nextInt(100, 8000)).completionTokens(random.nextInt(1, 2000))
                            .status(failed ? Status.ERROR : Status.OK)
                            .errorType(failed ? "error-" + random.nextInt(5) : null)
                            .quality("f1", random.nextDouble()));
                    }
                }
            }
            store.flush(60, TimeUnit.SECONDS);
            final long estimate = store.stats().aggregateHeapBytes();
            final long measured = usedHeapAfterGc() - heapBefore;
            final int buckets = (models + 1) * (60 + 60 + 90 + 24);
            System.out.printf("models=%d eventsPerSecondPerModel=%d simulatedHours=25%n", models, perSecond);
            System.out.printf("ring (%d slots) heap: %,d bytes%n", config.ringSize(), ringOnly);
            System.out.printf("aggregates, store's estimate: %,d bytes = %,d per model (incl. the all-models "
                + "share) = %,d per bucket%n", estimate, estimate / models, estimate / buckets);
            System.out.printf("whole store, measured after GC: %,d bytes = %,d per model%n", measured,
                measured / models);
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
