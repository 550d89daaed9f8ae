package dev.ringmeter.core.watch;

import dev.ringmeter.core.EmbeddedStore;
import org.agrona.concurrent.CachedEpochClock;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The process {@link AnomalyWatchTest} kills with an anomaly open: on a durable store ({@code args[0]}), model "m"
 * steady for {@link #STEADY} minutes then three times slower for {@link #SHIFTED}; it prints {@code OPEN id} once
 * the store holds the anomaly open, then waits to be killed.
 */
public final class AnomalyCrashChild {
    static final int STEADY = 70;
    static final int SHIFTED = 5;

    private AnomalyCrashChild() {
    }

    public static void main(final String[] args) throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(AnomalyWorkload.minute(0));
        final EmbeddedStore store = EmbeddedStore.open(AnomalyWorkload.config(Path.of(args[0]), clock));
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < STEADY + SHIFTED; i++) {
            AnomalyWorkload.minute(store, clock, random, i, i < STEADY ? 1 : 3);
        }
        final Anomaly open = store.anomalyView().open(dev.ringmeter.core.query.Subject.model("m"), "p95");
        System.out.println(open == null ? "NONE" : "OPEN " + open.id() + " " + open.startMs());
        System.out.flush();
        while (true) {
            LockSupport.parkNanos(1_000_000_000L);
        }
    }
}
