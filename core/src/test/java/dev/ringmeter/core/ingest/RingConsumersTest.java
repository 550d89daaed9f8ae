package dev.ringmeter.core.ingest;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.EventHandler;
import dev.ringmeter.core.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class RingConsumersTest {

    @Test
    void shouldRunTheJournalHandlerBeforeTheAggregateHandlerEachOnAThreadNamedForItsRole() throws Exception {
        final List<String> journaled = Collections.synchronizedList(new ArrayList<>());
        final List<String> aggregated = Collections.synchronizedList(new ArrayList<>());
        final EventHandler<EventSlot> journal = (slot, sequence, endOfBatch) -> {
            slot.journalIndex = sequence;
            journaled.add(Thread.currentThread().getName());
        };
        final EventHandler<EventSlot> aggregate = (slot, sequence, endOfBatch) -> {
            assertEquals(sequence, slot.journalIndex, "the journal handler passed the slot first");
            aggregated.add(Thread.currentThread().getName());
        };
        final RingConsumers consumers = new RingConsumers(8, new BlockingWaitStrategy(), journal, aggregate);
        try {
            assertArrayEquals(new String[] {"ringmeter-journal", "ringmeter-aggregator"},
                Arrays.stream(consumers.threads()).map(Thread::getName).toArray());
            assertTrue(Arrays.stream(consumers.threads()).allMatch(t -> t.isDaemon() && t.isAlive()));
            final RingPublisher publisher =
                new RingPublisher(consumers, StoreConfig.FullRingPolicy.BLOCK, 60_000, () -> null);
            for (int i = 0; i < 20; i++) {
                final long sequence = publisher.claim();
                publisher.slot(sequence).journalIndex = -1;
                publisher.publish(sequence);
            }
            assertTrue(publisher.flush(10, TimeUnit.SECONDS));
            assertEquals(Collections.nCopies(20, "ringmeter-journal"), journaled);
            assertEquals(Collections.nCopies(20, "ringmeter-aggregator"), aggregated);
        } finally {
            consumers.stop(10);
        }
        for (final Thread t : consumers.threads()) {
            t.join(10_000);
            assertFalse(t.isAlive(), "stop() ends " + t.getName());
        }
    }

    @Test
    void shouldSkipASlotWhoseHandlerThrowsAndGoOn() throws Exception {
        final List<Long> applied = Collections.synchronizedList(new ArrayList<>());
        final EventHandler<EventSlot> aggregate = (slot, sequence, endOfBatch) -> {
            if (sequence == 1) {
                throw new IllegalStateException("a bad slot");
            }
            applied.add(sequence);
        };
        final RingConsumers consumers = new RingConsumers(8, new BlockingWaitStrategy(), null, aggregate);
        try {
            assertArrayEquals(new String[] {"ringmeter-aggregator"},
                Arrays.stream(consumers.threads()).map(Thread::getName).toArray());
            final RingPublisher publisher =
                new RingPublisher(consumers, StoreConfig.FullRingPolicy.BLOCK, 60_000, () -> null);
            for (int i = 0; i < 4; i++) {
                publisher.publish(publisher.claim());
            }
            assertTrue(publisher.flush(10, TimeUnit.SECONDS));
            assertEquals(List.of(0L, 2L, 3L), applied);
        } finally {
            consumers.stop(10);
        }
    }
}
