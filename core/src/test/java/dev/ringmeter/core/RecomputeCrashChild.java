package dev.ringmeter.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.cost.CostRecompute;
import dev.ringmeter.core.cost.MatchKind;
import dev.ringmeter.core.cost.PriceEntry;
import dev.ringmeter.core.cost.PriceTier;
import org.agrona.concurrent.CachedEpochClock;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The process {@link RecomputeCrashTest} kills in the middle of a recompute of costs. On a durable store with a
 * snapshot due every second of its own clock, it records {@code args[1]} events of model "m" in
 * [{@link #T0}, {@link #T0} + {@link #RANGE_MS}) with no price (every tenth carries its own cost), has a snapshot
 * written after them ({@code SNAPSHOT}), adds a price entry for "m" and starts a recompute of the range on another
 * thread ({@code DONE changed} once it returns). Meanwhile it moves its clock a second on and records an event
 * outside the range, over and over, so that a snapshot is due at every document the journal closes while the
 * recompute's changes are on their way; it prints {@code JOURNALED} once the RECOMPUTE record is in the journal
 * and {@code HALFWAY clockMs} once the windows hold half of its changes (a snapshot was due at every tick since the
 * first).
 */
public final class RecomputeCrashChild {
    static final long T0 = 1_760_000_400_000L;
    static final long RANGE_MS = 100_000;
    static final double OWN_COST_USD = 0.5;
    /** Between two ticks, so that the clock moves about 100 s per second of the recompute. */
    private static final long TICK_PACE_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private RecomputeCrashChild() {
    }

    /** @return whether event i of the workload carries its own cost. */
    static boolean ownCost(final long i) {
        return i % 10 == 0;
    }

    /** @return event i's time: the events spread evenly over the range. */
    static long timeMs(final long i, final long events) {
        return T0 + i * RANGE_MS / events;
    }

    /** The entry the recompute prices with: 2, 8, 1 and 20 USD per million input, output, cached, reasoning. */
    static PriceEntry entry() {
        return new PriceEntry(0, 0, false, MatchKind.EXACT, "m", 0,
            new PriceTier(0, 2, 8, 1, Double.NaN, 20), new PriceTier[0]);
    }

    static StoreConfig config(final Path data, final CachedEpochClock clock) {
        return new StoreConfig().dataDirectory(data).clock(clock).builtInPrices(false).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).snapshotIntervalMs(1_000);
    }

    static Event fill(final Event e, final long i, final long events) {
        e.reset().model("m").timestampMs(timeMs(i, events)).latencyMs(100).status(Status.OK)
            .promptTokens(1000).cachedTokens(200).completionTokens(500).reasoningTokens(100);
        if (ownCost(i)) {
            e.costUsd(OWN_COST_USD);
        }
        return e;
    }

    public static void main(final String[] args) throws Exception {
        final long events = Long.parseLong(args[1]);
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0 + RANGE_MS + 60_000);   // its events fall in no minute the range's windows touch
        final EmbeddedStore store = EmbeddedStore.open(config(Path.of(args[0]), clock));
        final Event e = new Event();
        for (long i = 0; i < events; i++) {
            if (!store.record(fill(e, i, events))) {
                System.exit(2);
            }
        }
        tick(store, clock, e);
        while (store.stats().snapshotWrittenAtMs() < clock.time()) {
            Thread.onSpinWait();
        }
        System.out.println("SNAPSHOT");
        System.out.flush();
        if (store.putPriceEntry(entry(), 30_000) == null) {
            System.exit(3);
        }
        final Thread recompute = new Thread(() -> {
            try {
                final CostRecompute.Report r = store.recomputeCosts(T0, T0 + RANGE_MS, 60_000);
                System.out.println("DONE " + r.changed());
                System.out.flush();
            } catch (final Exception x) {
                x.printStackTrace();
                System.exit(4);
            }
        }, "recompute");
        recompute.start();
        while (store.prices().recomputes().isEmpty()) {
            LockSupport.parkNanos(TICK_PACE_NS);
            tick(store, clock, e);
        }
        System.out.println("JOURNALED");
        System.out.flush();
        final long unknownBefore = events - (events + 9) / 10;
        while (store.aggregates().window("m", T0, T0 + RANGE_MS, store.aggregates().newWindowStats()).costUnknown()
            > unknownBefore / 2) {
            LockSupport.parkNanos(TICK_PACE_NS);
            tick(store, clock, e);   // a snapshot due at each while the changes come
        }
        System.out.println("HALFWAY " + clock.time());
        System.out.flush();
        while (true) {
            LockSupport.parkNanos(TICK_PACE_NS);   // a service's pace, not a wait for anything
            tick(store, clock, e);
        }
    }

    /**
     * Moves the clock a second on (a snapshot is due) and records an event of "m" at the clock's time, after the
     * range, so that the journal closes a document.
     */
    private static void tick(final EmbeddedStore store, final CachedEpochClock clock, final Event e)
        throws InterruptedException {
        clock.update(clock.time() + 1_000);
        e.reset().model("m").latencyMs(100).status(Status.OK).promptTokens(10);
        if (!store.record(e) || !store.flush(30, TimeUnit.SECONDS)) {
            System.exit(5);
        }
    }
}
