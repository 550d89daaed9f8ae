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

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
        assertEquals(64, accepted, "a ring of 64 holds 64 while the consumer is stuck at the first");
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
            // the consumer is stuck at the first event: wait until the producer has filled the ring and parks
            while (producer.isAlive() && !(recorded.get() >= 64 && isParked(producer))) {
                Thread.yield();
            }
            assertEquals(64, recorded.get(), "a ring of 64 holds 64: the producer waits for the 65th slot");
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
    @Timeout(30)
    void shouldGiveUpABlockWaitAfterTheBlockTimeoutAndCountTheDrop() throws Exception {
        open(new StoreConfig().ringSize(64).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).blockTimeoutMs(200));
        final Event e = new Event();
        final Aggregates aggregates = store.aggregates();
        aggregates.lock(); // stalls the consumer at its next event, so the ring fills up and stays full
        try {
            for (int i = 0; i < 64; i++) {
                assertTrue(store.record(e.reset().model("m").latencyMs(1).timestampMs(T0)), "slot " + i);
            }
            final long t0 = System.nanoTime();
            assertFalse(store.record(e.reset().model("m").latencyMs(1).timestampMs(T0)),
                "the 65th event waits for the block timeout, then is refused");
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(200), "it waited the bound first");
            assertFalse(store.record(new MetricSample().name("queue").value(1).timestampMs(T0)));
            assertFalse(store.setPrice("m", 1, 2), "a price change has the same bound");
            assertEquals(2, store.dropped(), "each refused event or sample is counted; a price is not an event");
            assertEquals(2, store.stats().dropped());
        } finally {
            aggregates.unlock();
        }
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(64, aggregates.window("m", T0, T0 + 1000, new WindowStats()).count());
        assertNull(aggregates.price("m"), "the refused price was not applied");
        assertTrue(store.record(e.reset().model("m").latencyMs(1).timestampMs(T0)), "a freed ring takes events again");
        assertTrue(store.setPrice("m", 1, 2));
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertEquals(65, aggregates.window("m", T0, T0 + 1000, new WindowStats()).count());
    }

    private static boolean isParked(final Thread thread) {
        final Thread.State state = thread.getState();
        return state == Thread.State.TIMED_WAITING || state == Thread.State.WAITING;
    }

    @Test
    void shouldNotAllocateWhenRecordingInSteadyState() throws Exception {
        open(new StoreConfig().fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK));
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long me = Thread.currentThread().getId();
        final Event e = new Event();
        final MetricSample sample = new MetricSample();
        // warm-up: the dictionary learns every string, the JIT compiles the path
        recordCalls(e, sample, 200_000);
        final long before = threads.getThreadAllocatedBytes(me);
        recordCalls(e, sample, 200_000);
        final long allocated = threads.getThreadAllocatedBytes(me) - before;
        assertTrue(allocated < 4_096, "recording 200,000 events and 20,000 samples allocated " + allocated + " bytes");
        assertTrue(store.flush(10, TimeUnit.SECONDS));
        assertEquals(400_000, store.aggregates().window(null, T0, T0 + 1000, new WindowStats()).count());
        assertEquals(40_000, store.aggregates().metricWindow("gpu_memory_gb", T0, T0 + 1000, new WindowStats())
            .count());
    }

    private static final String[] MODELS = {"gpt-4o", "claude-sonnet", "llama-3-70b"};

    /** Records n events, and a metric sample every tenth, filling the same two objects each time. */
    private void recordCalls(final Event e, final MetricSample sample, final int n) {
        for (int i = 0; i < n; i++) {
            assertTrue(store.record(e.reset().model(MODELS[i % 3]).operation("chat").pipeline("rag").step("answer")
                .timestampMs(T0).latencyNs(1_000_000L + i).ttftMs(i % 50).promptTokens(i % 1000).completionTokens(7)
                .tag("region", i % 2 == 0 ? "eu" : "us").quality("f1", (i % 10) / 10.0)));
            if (i % 10 == 0) {
                assertTrue(store.record(sample.reset().name("gpu_memory_gb").value(i % 80).tag("host", "a")
                    .timestampMs(T0)));
            }
        }
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
        final long before = liveHeapBytes();
        // the anomaly watch ticked by hand once a round, so that its detectors (12.4 KB a model) are made in the
        // first round, not whenever its thread first ticks
        open(new StoreConfig().cardinalityLimit(Dimension.MODEL, models).recentEventsPerModel(100)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).anomalyIntervalMs(60_000));
        final Event e = new Event();
        // the pooled buckets of the in-memory comparisons reach their widest over about five rounds (each bucket
        // goes from combination to combination, its histogram growing to the values it meets), then hold still
        final long[] live = new long[7];
        long t = T0;
        for (int round = 0; round < live.length; round++) {
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
            store.anomalyWatch().tick();
            assertTrue(store.flush(30, TimeUnit.SECONDS));
            live[round] = liveHeapBytes();
        }
        assertThrows(CardinalityLimitException.class, () -> store.record(e.reset().model("one-more").latencyMs(1)));
        // the heap the JVM holds, not the store's own estimate: after two more rounds of 90,000 events each, a
        // leak of even one small object per event (16 bytes: 2.9 MB) would show
        assertTrue(live[6] - live[4] < 1024 * 1024, "no growth once the rings wrapped and the pools filled: "
            + live[4] + " -> " + live[6] + " bytes");
        final long perModel = (live[6] - before) / models;
        assertTrue(perModel < 4_000_000, "per model " + perModel + " bytes");
    }

    /** @return the heap in use after a full collection, once two collections in a row agree within 64 KB. */
    private static long liveHeapBytes() {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long previous = -1;
        for (int i = 0; i < 20; i++) {
            System.gc();
            final long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(used - previous) < 64 * 1024) {
                return used;
            }
            previous = used;
        }
        throw new AssertionError("the heap in use did not settle: " + previous);
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
