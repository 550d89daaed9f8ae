package dev.ringmeter.core;

import org.agrona.concurrent.CachedEpochClock;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link CrashRecoveryTest} kills: records the deterministic events of
 * {@link DurableStoreTest#record} into a durable store, and after every flush that returns true prints
 * {@code ACK n}: the first n events are acknowledged.
 */
public final class CrashChild {
    private CrashChild() {
    }

    public static void main(final String[] args) throws Exception {
        final Path data = Path.of(args[0]);
        final int total = Integer.parseInt(args[1]);
        final int ackEvery = Integer.parseInt(args[2]);
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(CrashRecoveryTest.T0);
        final EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(data).clock(clock)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20).snapshotIntervalMs(5_000));
        for (int i = 0; i < total; i += ackEvery) {
            DurableStoreTest.record(store, clock, i, i + ackEvery);
            if (!store.flush(30, TimeUnit.SECONDS)) {
                System.out.println("FLUSH FAILED");
                System.exit(2);
            }
            System.out.println("ACK " + (i + ackEvery));
            System.out.flush();
        }
        System.out.println("DONE");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
