package dev.ringmeter.core.privacy;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import org.agrona.concurrent.CachedEpochClock;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link SampledCrashTest} kills: a durable store sampling 1 in 10. Records {@value #BEFORE} ok events
 * within a second, then an error a few seconds later whose document brings the snapshot due, waits for that
 * snapshot and prints {@code SNAP}; then records {@value #AFTER_OK} ok events and {@value #AFTER_ERRORS} errors,
 * flushes and prints {@code ACK}: all of them acknowledged.
 */
public final class SampledCrashChild {
    static final long T0 = 1_760_000_400_000L;
    static final int BEFORE = 1_000;
    static final int AFTER_OK = 900;
    static final int AFTER_ERRORS = 10;
    static final long SNAPSHOT_AT = T0 + 2_000;

    private SampledCrashChild() {
    }

    public static void main(final String[] args) throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        final EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(Path.of(args[0])).clock(clock)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20).snapshotIntervalMs(1_000)
            .shutdownHook(false).sampling(Sampling.parse("10")));
        final Event e = new Event();
        for (int i = 0; i < BEFORE; i++) {
            clock.update(T0 + i / 2);
            store.record(e.reset().model("m").timestampMs(T0 + i / 2).latencyNs(1_000_000L));
        }
        check(store.flush(30, TimeUnit.SECONDS));
        clock.update(SNAPSHOT_AT);
        store.record(e.reset().model("m").timestampMs(SNAPSHOT_AT).latencyNs(1_000_000L).status(Status.ERROR));
        check(store.flush(30, TimeUnit.SECONDS));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (store.snapshotWrittenAtMs() < SNAPSHOT_AT) {
            check(System.nanoTime() < deadline);
            Thread.onSpinWait();
        }
        System.out.println("SNAP");
        for (int i = 0; i < AFTER_OK + AFTER_ERRORS; i++) {
            final long t = SNAPSHOT_AT + 1 + i / 2;
            clock.update(t);
            store.record(e.reset().model("m").timestampMs(t).latencyNs(1_000_000L)
                .status(i < AFTER_OK ? Status.OK : Status.ERROR));
        }
        check(store.flush(30, TimeUnit.SECONDS));
        System.out.println("ACK");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void check(final boolean ok) {
        if (!ok) {
            System.out.println("FAILED");
            System.exit(2);
        }
    }
}
