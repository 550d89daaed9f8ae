package dev.ringmeter.remote;

import dev.ringmeter.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class ManyToOneItemRingTest {
    private static final int CACHE_LINE_BYTES = 64;
    private static final List<String> HOT_FIELDS = List.of("tail", "headCache", "head");

    /** @return the offset of a field in its object, as the JVM laid it out. */
    private static long offset(final Field field) throws ReflectiveOperationException {
        final Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
        final Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        return (long)unsafeClass.getMethod("objectFieldOffset", Field.class).invoke(theUnsafe.get(null), field);
    }

    private static boolean isPadding(final Field field) {
        return field.getName().matches("p\\d+");
    }

    @Test
    void shouldKeepTheTailTheHeadCacheAndTheHeadACacheLineAwayFromEveryOtherField() throws Exception {
        final List<Field> fields = new ArrayList<>();
        for (Class<?> c = ManyToOneItemRing.class; c != Object.class; c = c.getSuperclass()) {
            for (final Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && !isPadding(f)) {
                    fields.add(f);
                }
            }
        }
        assertEquals(7, fields.size(), "tail, headCache, head, capacity, mask, longs, strings: " + fields);
        int hot = 0;
        for (final Field a : fields) {
            if (!HOT_FIELDS.contains(a.getName())) {
                continue;
            }
            hot++;
            for (final Field b : fields) {
                if (a != b) {
                    final long apartBytes = Math.abs(offset(a) - offset(b));
                    assertTrue(apartBytes >= CACHE_LINE_BYTES, a.getName() + " at " + offset(a) + " is "
                        + apartBytes + " bytes from " + b.getName() + " at " + offset(b));
                }
            }
        }
        assertEquals(3, hot);
    }

    @Test
    void shouldRefuseAnItemWhenFullAndTakeItOnceTheConsumerReleasesASlot() {
        final ManyToOneItemRing ring = new ManyToOneItemRing(4);
        final Event e = new Event().model("m").latencyNs(1);
        for (int i = 0; i < 4; i++) {
            assertEquals(i, ring.offer(e, 1));
        }
        assertEquals(-1, ring.offer(e, 1));
        assertEquals(4, ring.tail(), "a refused offer claims nothing");
        assertTrue(ring.isPublished(0));
        ring.release(0, 1);
        assertEquals(1, ring.head());
        assertEquals(4, ring.offer(e, 1));
        assertEquals(-1, ring.offer(e, 1));
        assertFalse(ring.isPublished(5));
    }

    @Test
    void shouldGiveManyProducersDistinctSlotsAndLoseNothingWhileTheConsumerReleases() throws Exception {
        final int producers = 3;
        final int perProducer = 20_000;
        final ManyToOneItemRing ring = new ManyToOneItemRing(64);
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> threads = new ArrayList<>();
        for (int id = 0; id < producers; id++) {
            final int producer = id;
            final Thread t = new Thread(() -> {
                final Event e = new Event().model("m");
                try {
                    start.await();
                } catch (final InterruptedException ex) {
                    return;
                }
                for (int i = 0; i < perProducer; i++) {
                    e.latencyNs((long)producer * perProducer + i);
                    while (ring.offer(e, 1) < 0) {
                        Thread.yield();   // full: the consumer is behind
                    }
                }
            }, "producer-" + id);
            t.start();
            threads.add(t);
        }
        start.countDown();
        final BitSet seen = new BitSet(producers * perProducer);
        final long[] lastPerProducer = {-1, -1, -1};
        long position = 0;
        while (position < (long)producers * perProducer) {
            if (!ring.isPublished(position)) {
                Thread.onSpinWait();
                continue;
            }
            final long latencyNs = ring.longs[ring.longBase(position) + ManyToOneItemRing.LATENCY_NS];
            assertFalse(seen.get((int)latencyNs), "item " + latencyNs + " taken twice");
            seen.set((int)latencyNs);
            final int producer = (int)(latencyNs / perProducer);
            assertTrue(latencyNs > lastPerProducer[producer], "one producer's items stay in order");
            lastPerProducer[producer] = latencyNs;
            ring.release(position, 1);
            position++;
        }
        for (final Thread t : threads) {
            t.join();
        }
        assertEquals(producers * perProducer, seen.cardinality());
        assertEquals(position, ring.tail());
    }
}
