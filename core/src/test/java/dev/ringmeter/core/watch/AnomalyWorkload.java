package dev.ringmeter.core.watch;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import org.agrona.concurrent.CachedEpochClock;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The minutes the anomaly watch tests feed a store: model "m", 20 calls a minute of a latency log-normal around
 * 1 s (σ 0.05 on the log), times a factor; each minute is flushed, the clock moved past its lateness allowance,
 * and the watch ticked by hand (its own thread ticks only once a minute of real time).
 */
final class AnomalyWorkload {
    /** An instant on a whole hour. */
    static final long T0 = 1_760_000_400_000L;
    static final long MINUTE_MS = 60_000;
    static final long LATENESS_MS = 60_000;
    private static final int CALLS_PER_MINUTE = 20;

    private AnomalyWorkload() {
    }

    static StoreConfig config(final Path data, final CachedEpochClock clock) {
        final StoreConfig c = new StoreConfig().clock(clock).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK)
            .anomalyIntervalMs(60_000).anomalyLatenessMs(LATENESS_MS).builtInPrices(false).shutdownHook(false);
        return data == null ? c : c.dataDirectory(data);
    }

    /** @return the start of minute i. */
    static long minute(final int i) {
        return T0 + i * MINUTE_MS;
    }

    /** @return the clock once minute i is closed. */
    static long closedAt(final int i) {
        return minute(i + 1) + LATENESS_MS;
    }

    /**
     * Records minute i's calls at the given latency factor, then closes the minute and ticks the watch.
     */
    static void minute(final EmbeddedStore store, final CachedEpochClock clock, final SplittableRandom random,
                       final int i, final double factor) throws InterruptedException {
        final Event e = new Event();
        for (int j = 0; j < CALLS_PER_MINUTE; j++) {
            final double latencyMs = factor * 1000 * Math.exp(0.05 * gaussian(random));
            if (!store.record(e.reset().model("m").status(Status.OK).latencyMs((long)latencyMs)
                .timestampMs(minute(i) + j * 2_000))) {
                throw new IllegalStateException("the ring refused an event");
            }
        }
        if (!store.flush(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not flushed");
        }
        clock.update(closedAt(i));
        tick(store);
    }

    /** Ticks the watch and waits for what it journaled to be applied. */
    static void tick(final EmbeddedStore store) throws InterruptedException {
        store.anomalyWatch().tick();
        if (!store.flush(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not flushed");
        }
    }

    private static double gaussian(final SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
