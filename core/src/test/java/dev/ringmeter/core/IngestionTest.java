package dev.ringmeter.core;

import dev.ringmeter.CardinalityLimitException;
import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class IngestionTest {
    private static final long T0 = 1_760_000_400_000L;
    private final CachedEpochClock clock = new CachedEpochClock();
    private EmbeddedStore store;

    private EmbeddedStore open(final StoreConfig config) {
        clock.update(T0);
        store = EmbeddedStore.open(config.clock(clock));
        return store;
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void shouldNeitherLoseNorDoubleCountEventsFromManyProducerThreads() throws Exception {
        open(new StoreConfig().ringSize(1024).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK));
        final int threads = 8;
        final int perThread = 100_000;
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < threads; p++) {
            final String model = "model-" + (p % 3);
            final long tokens = p + 1;
            final Thread t = new Thread(() -> {
                final Event e = new Event();
                try {
                    start.await();
                } catch (final InterruptedException ex) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    assertTrue(store.record(e.reset().model(model).latencyMs(i % 100).promptTokens(tokens)
                        .timestampMs(T0)));
                }
            });
            producers.add(t);
            t.start();
        }
        start.countDown();
        for (final Thread t : producers) {
            t.join();
        }
        assertTrue(store.flush(10, TimeUnit.SECONDS));
        final WindowStats all = store.aggregates().window(null, T0, T0 + 1000, new WindowStats());
        assertEquals((long)threads * perThread, all.count());
        long expectedTokens = 0;
        for (int p = 0; p < threads; p++) {
            expectedTokens += (long)(p + 1) * perThread;
        }
        assertEquals(expectedTokens, all.promptTokens());
        long perModel = 0;
        for (final String m : store.aggregates().models()) {
            perModel += store.aggregates().window(m, T0, T0 + 1000, new WindowStats()).count();
        }
        assertEquals(all.count(), perModel);
        assertEquals(0, store.dropped());
        assertEquals(all.count(), store.stats().aggregatedEvents());
    }

    @Test
    void shouldDropAndCountWhenTheRingIsFullUnderTheDropPolicy() throws Exception {
        open(new StoreConfig().ringSize(64));
        final Event e = new Event();
        final Aggregates aggregates = store.aggregates();
        long accepted = 0;
        long refused = 0;
        aggregates.lock(); // stalls the consumer at its next event, so the ring fills up
        try {
            for (int i = 0; i < 1000; i++) {
                if (store.record(e.reset().model("m").latencyMs(1).timestampMs(T0))) {
                    accepted++;
                } else {
                    refused++;
                }
            }
        } finally {
            aggregates.unlock();
        }
        assertTrue(refused > 0, "the ring filled up");
        assertTrue(accepted >= 64 && accepted <= 65, "a ring of 64 holds 64 (+1 being consumed): " + accepted);
        assertEquals(refused, store.dropped());
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(accepted, aggregates.window("m", T0, T0 + 1000, new WindowStats()).count());
        assertEquals(refused, store.stats().dropped());
    }

    @Test
    void shouldWaitForAFreeSlotUnderTheBlockPolicy() throws Exception {
        open(new StoreConfig().ringSize(64).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK));
        final AtomicLong recorded = new AtomicLong();
        final Aggregates aggregates = store.aggregates();
        final Thread producer;
        aggregates.lock();
        try {
            producer = new Thread(() -> {
                final Event e = new Event();
                for (int i = 0; i < 1000; i++) {
                    store.record(e.reset().model("m").latencyMs(1).timestampMs(T0));
                    recorded.incrementAndGet();
                }
            });
            producer.start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (recorded.get() < 64 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            Thread.sleep(100);
            assertTrue(recorded.get() <= 65, "the producer waits while the ring is full: " + recorded.get());
            assertTrue(producer.isAlive());
        } finally {
            aggregates.unlock();
        }
        producer.join(10_000);
        assertFalse(producer.isAlive());
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(1000, aggregates.window("m", T0, T0 + 1000, new WindowStats()).count());
        assertEquals(0, store.dropped());
    }

    @Test
    void shouldRejectANewValuePastTheCardinalityLimitAndKeepTheKnownOnes() throws Exception {
        open(new StoreConfig().cardinalityLimit(Dimension.MODEL, 3));
        final Event e = new Event();
        for (int i = 0; i < 3; i++) {
            assertTrue(store.record(e.reset().model("m" + i).latencyMs(1).timestampMs(T0)));
        }
        final CardinalityLimitException ex = assertThrows(CardinalityLimitException.class,
            () -> store.record(e.reset().model("m3").latencyMs(1).timestampMs(T0)));
        assertEquals("model", ex.field());
        assertEquals(3, ex.limit());
        assertTrue(store.record(e.reset().model("m0").latencyMs(1).timestampMs(T0)));
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(4, store.aggregates().window(null, T0, T0 + 1000, new WindowStats()).count());
        assertEquals(3, store.aggregates().models().size());
    }

    @Test
    void shouldRejectBadValuesWithAnExceptionNamingTheField() throws Exception {
        open(new StoreConfig().maxStringLength(16));
        final Event e = new Event();
        assertEquals("latencyMs", assertThrows(InvalidEventException.class, () -> e.latencyMs(-1)).field());
        assertEquals("latencyMs", assertThrows(InvalidEventException.class, () -> e.latencyMs(Double.NaN)).field());
        assertEquals("latencyMs",
            assertThrows(InvalidEventException.class, () -> e.latencyMs(Double.POSITIVE_INFINITY)).field());
        assertEquals("latencyMs", assertThrows(InvalidEventException.class, () -> e.latencyNs(-5)).field());
        assertEquals("ttftMs", assertThrows(InvalidEventException.class, () -> e.ttftMs(-0.5)).field());
        assertEquals("promptTokens", assertThrows(InvalidEventException.class, () -> e.promptTokens(-1)).field());
        assertEquals("completionTokens",
            assertThrows(InvalidEventException.class, () -> e.completionTokens(-1)).field());
        assertEquals("retries", assertThrows(InvalidEventException.class, () -> e.retries(-1)).field());
        assertEquals("costUsd", assertThrows(InvalidEventException.class, () -> e.costUsd(Double.NaN)).field());
        assertEquals("quality.f1",
            assertThrows(InvalidEventException.class, () -> e.quality("f1", Double.NaN)).field());
        assertEquals("timestamp", assertThrows(InvalidEventException.class, () -> e.timestampMs(-1)).field());
        assertEquals("value",
            assertThrows(InvalidEventException.class, () -> new MetricSample().value(Double.NaN)).field());

        assertEquals("model", assertThrows(InvalidEventException.class,
            () -> store.record(e.reset().latencyMs(1))).field());
        assertEquals("latencyMs", assertThrows(InvalidEventException.class,
            () -> store.record(e.reset().model("m"))).field());
        assertEquals("pipeline", assertThrows(InvalidEventException.class,
            () -> store.record(e.reset().model("m").latencyMs(1).pipeline("a-pipeline-name-too-long"))).field());
        assertEquals("timestamp", assertThrows(InvalidEventException.class,
            () -> store.record(e.reset().model("m").latencyMs(1).timestampMs(T0 + 3_600_000))).field());
        assertEquals("name", assertThrows(InvalidEventException.class,
            () -> store.record(new MetricSample().value(1))).field());

        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(0, store.aggregates().window(null, 0, T0 + 60_000, new WindowStats()).count(),
            "nothing of a rejected event is stored");
        assertEquals(0, store.stats().aggregatedEvents());
    }

    @Test
    void shouldKeepMemoryBoundedWithManyModelsOverTime() throws Exception {
        final int models = 50;
        open(new StoreConfig().cardinalityLimit(Dimension.MODEL, models).recentEventsPerModel(100)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK));
        final Event e = new Event();
        final long[] footprint = new long[3];
        long t = T0;
        for (int round = 0; round < 3; round++) {
            // 30 hours of traffic per round, more than the 24 h retention: every bucket ring wraps.
            for (int step = 0; step < 30 * 60; step++) {
                t += 60_000;
                clock.update(t);
                for (int m = 0; m < models; m++) {
                    store.record(e.reset().model("m" + m).timestampMs(t).latencyNs(1_000_000L * (1 + (step + m) % 5000))
                        .ttftMs(5).promptTokens(10).errorType(m % 10 == 0 ? "e" + (step % 50) : null));
                }
            }
            assertTrue(store.flush(30, TimeUnit.SECONDS));
            footprint[round] = store.stats().aggregateHeapBytes();
        }
        assertThrows(CardinalityLimitException.class, () -> store.record(e.reset().model("one-more").latencyMs(1)));
        assertTrue(footprint[2] <= footprint[1] * 1.02, "no growth once the rings wrapped: " + footprint[1] + " -> "
            + footprint[2]);
        final long perModel = footprint[2] / models;
        assertTrue(perModel < 4_000_000, "per model " + perModel);
    }

    @Test
    void shouldAggregateCustomMetrics() throws Exception {
        open(new StoreConfig());
        final MetricSample sample = new MetricSample();
        for (int i = 1; i <= 10; i++) {
            assertTrue(store.record(sample.reset().name("gpu_memory_gb").value(i).tag("host", "a").timestampMs(T0)));
        }
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        final WindowStats s = store.aggregates().metricWindow("gpu_memory_gb", T0, T0 + 1000, new WindowStats());
        assertEquals(10, s.count());
        assertEquals(55, s.valueSum(), 1e-9);
        assertEquals(1, s.valueMin(), 1e-9);
        assertEquals(10, s.valueMax(), 1e-9);
        assertEquals(List.of("gpu_memory_gb"), store.aggregates().metricNames());
    }

    @Test
    void shouldRefuseEventsAfterClose() {
        open(new StoreConfig());
        store.close();
        store.close();
        assertThrows(IllegalStateException.class, () -> store.record(new Event().model("m").latencyMs(1)));
    }

    @Test
    void shouldApplyEverythingRecordedBeforeClose() {
        open(new StoreConfig());
        final Event e = new Event();
        for (int i = 0; i < 5000; i++) {
            store.record(e.reset().model("m").latencyMs(1).timestampMs(T0));
        }
        store.close();
        assertEquals(5000, store.aggregates().window("m", T0, T0 + 1000, new WindowStats()).count());
    }
}
