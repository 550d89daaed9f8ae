package dev.ringmeter.core.ingest;

import com.lmax.disruptor.EventHandler;
import dev.ringmeter.core.StoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publisher over real ring consumers whose handler holds its first slot until a gate opens, so that the ring is
 * full, or a flush pending, for as long as a test needs; consumers park for a second between checks, so only the
 * publisher's wake-ups make them see a slot sooner.
 */
@Timeout(30)
class RingPublisherTest {
    private static final int RING_SIZE = 4;
    private static final long PARK_NS = TimeUnit.SECONDS.toNanos(1);

    private final GatedHandler handler = new GatedHandler();
    private final AtomicReference<Throwable> journalFailure = new AtomicReference<>();
    private RingConsumers consumers;

    @AfterEach
    void stopConsumers() {
        handler.gate.countDown();
        if (consumers != null) {
            consumers.halt();
        }
    }

    private RingPublisher publisher(final StoreConfig.FullRingPolicy policy) {
        consumers = new RingConsumers(RING_SIZE, new ParkingWaitStrategy(PARK_NS), null, handler);
        return new RingPublisher(consumers, policy, 60_000, journalFailure::get);
    }

    private static void fill(final RingPublisher publisher, final int slots) {
        for (int i = 0; i < slots; i++) {
            final long sequence = publisher.claim();
            assertEquals(i, sequence);
            publisher.slot(sequence).kind = EventSlot.KIND_EVENT;
            publisher.publish(sequence);
        }
    }

    @Test
    void shouldDropAndCountAClaimWhileTheRingIsFullUnderDrop() throws Exception {
        final RingPublisher publisher = publisher(StoreConfig.FullRingPolicy.DROP);
        fill(publisher, RING_SIZE);

        assertEquals(-1, publisher.claim());
        assertEquals(-1, publisher.claim());
        assertEquals(2, publisher.dropped());
        assertEquals(RING_SIZE - 1, publisher.cursor());

        handler.gate.countDown();
        assertTrue(publisher.flush(10, TimeUnit.SECONDS));
        assertEquals(RING_SIZE, handler.handled.get(), "the dropped claims took no slot");
        assertEquals(RING_SIZE, publisher.claim(), "a claim succeeds once the consumer frees a slot");
    }

    @Test
    void shouldWaitForAFreeSlotUnderBlockAndTakeItOnceTheConsumerMovesOn() throws Exception {
        final RingPublisher publisher = publisher(StoreConfig.FullRingPolicy.BLOCK);
        fill(publisher, RING_SIZE);
        final CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(publisher::claim);

        assertThrows(TimeoutException.class, () -> waiting.get(200, TimeUnit.MILLISECONDS), "no slot is free yet");
        handler.gate.countDown();
        assertEquals(RING_SIZE, waiting.get(10, TimeUnit.SECONDS));
        assertEquals(0, publisher.dropped());
    }

    @Test
    void shouldReportAFlushDoneOnlyOnceTheConsumerPassedEverySlotPublishedBeforeIt() throws Exception {
        final RingPublisher publisher = publisher(StoreConfig.FullRingPolicy.DROP);
        fill(publisher, 3);
        assertTrue(handler.firstSeen.await(10, TimeUnit.SECONDS));

        assertFalse(publisher.flush(50, TimeUnit.MILLISECONDS), "the consumer still holds the first slot");
        assertEquals(0, handler.handled.get());
        handler.gate.countDown();
        assertTrue(publisher.flush(10, TimeUnit.SECONDS));
        assertEquals(3, handler.handled.get());
        assertEquals(publisher.cursor(), publisher.consumedSequence());
    }

    @Test
    void shouldRefuseClaimsOnceClosedEvenAClaimAlreadyWaiting() throws Exception {
        final RingPublisher publisher = publisher(StoreConfig.FullRingPolicy.BLOCK);
        fill(publisher, RING_SIZE);
        final CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(publisher::claimWaiting);

        publisher.close();

        assertTrue(publisher.isClosed());
        final ExecutionException refused = assertThrows(ExecutionException.class,
            () -> waiting.get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, refused.getCause());
        assertEquals("store is closed", refused.getCause().getMessage());
        assertEquals("store is closed", assertThrows(IllegalStateException.class, publisher::claim).getMessage());
        handler.gate.countDown();
        assertTrue(publisher.flush(10, TimeUnit.SECONDS), "what was published before the close still drains");
        assertEquals(RING_SIZE, handler.handled.get());
    }

    @Test
    void shouldRefuseClaimsAndFailFlushesOnceTheJournalFailed() throws Exception {
        final RingPublisher publisher = publisher(StoreConfig.FullRingPolicy.DROP);
        fill(publisher, 1);
        handler.gate.countDown();
        assertTrue(publisher.flush(10, TimeUnit.SECONDS));
        final IOException diskFull = new IOException("disk full");

        journalFailure.set(diskFull);

        final IllegalStateException refused = assertThrows(IllegalStateException.class, publisher::claim);
        assertTrue(refused.getMessage().contains("journal cannot write") && refused.getMessage().contains("disk full"),
            refused.getMessage());
        assertSame(diskFull, refused.getCause());
        assertFalse(publisher.flush(10, TimeUnit.SECONDS), "nothing is acknowledged once the journal failed");
    }

    @Test
    @Timeout(10)
    void shouldWakeAParkedConsumerEveryQuarterOfTheRingAndDuringAFlush() throws Exception {
        // consumers that park for an hour see a slot only when the publisher wakes them
        handler.gate.countDown();
        consumers = new RingConsumers(16, new ParkingWaitStrategy(TimeUnit.HOURS.toNanos(1)), null, handler);
        final RingPublisher publisher =
            new RingPublisher(consumers, StoreConfig.FullRingPolicy.DROP, 60_000, () -> null);
        final Thread consumer = consumers.threads()[0];

        awaitParked(consumer);
        publisher.publish(publisher.claim());   // sequence 0 starts a quarter of the ring: a wake
        awaitHandled(1);
        awaitParked(consumer);
        for (int i = 1; i < 4; i++) {
            publisher.publish(publisher.claim());
        }
        publisher.publish(publisher.claim());   // sequence 4 starts the next quarter
        awaitHandled(5);

        awaitParked(consumer);
        publisher.publish(publisher.claim());   // sequence 5: no wake on publish
        assertTrue(publisher.flush(10, TimeUnit.SECONDS), "the flush woke the consumer");
        assertEquals(6, handler.handled.get());
    }

    private static void awaitParked(final Thread consumer) throws InterruptedException {
        while (consumer.getState() != Thread.State.TIMED_WAITING) {
            yieldUnlessInterrupted();
        }
    }

    private void awaitHandled(final long count) throws InterruptedException {
        while (handler.handled.get() < count) {
            yieldUnlessInterrupted();
        }
    }

    /** The test's timeout interrupts the waits above. */
    private static void yieldUnlessInterrupted() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Thread.yield();
    }

    /** Counts the slots it handles; holds the first one until {@link #gate} opens. */
    private static final class GatedHandler implements EventHandler<EventSlot> {
        final CountDownLatch gate = new CountDownLatch(1);
        final CountDownLatch firstSeen = new CountDownLatch(1);
        final AtomicLong handled = new AtomicLong();

        @Override
        public void onEvent(final EventSlot slot, final long sequence, final boolean endOfBatch)
            throws InterruptedException {
            firstSeen.countDown();
            gate.await();
            handled.incrementAndGet();
        }
    }
}
