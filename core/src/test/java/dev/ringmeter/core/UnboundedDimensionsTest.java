package dev.ringmeter.core;

import dev.ringmeter.Event;
import dev.ringmeter.core.dictionary.Dimension;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dimensions unbounded by nature (run, task, tags) never wall the store: their limits count live values only. */
@Timeout(60)
class UnboundedDimensionsTest {
    private static final long T0 = 1_767_225_600_000L;

    @Test
    void acceptsMoreDistinctRunsOverTimeThanTheLimitAllows() throws InterruptedException {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        final StoreConfig config = new StoreConfig().clock(clock).cardinalityLimit(Dimension.RUN, 1_000)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK);
        try (EmbeddedStore store = EmbeddedStore.open(config)) {
            final Event e = new Event();
            final int runs = 5_000;   // one a second: 600 are used within any 10 minutes
            for (int i = 0; i < runs; i++) {
                clock.update(T0 + i * 1_000L);
                e.reset().model("m").timestampMs(T0 + i * 1_000L).latencyMs(1).run("run-" + i);
                assertTrue(store.record(e), "event " + i);
                if (i % 50 == 49) {
                    assertTrue(store.flush(10, TimeUnit.SECONDS));
                }
            }
            assertTrue(store.flush(10, TimeUnit.SECONDS));
            assertTrue(store.dictionary().size(Dimension.RUN) <= 1_000, "live runs within the limit");
            final List<Event> recent = store.aggregates().recent("m", 3);
            assertEquals("run-4999", recent.get(0).run());
            assertEquals("run-4998", recent.get(1).run());
            assertEquals("run-4997", recent.get(2).run());
            assertEquals(runs, store.stats().aggregatedEvents());
        }
    }
}
