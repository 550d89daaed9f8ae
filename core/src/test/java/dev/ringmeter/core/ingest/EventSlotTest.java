package dev.ringmeter.core.ingest;

import dev.ringmeter.Event;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.privacy.Anonymizer;
import dev.ringmeter.core.query.Subject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The slot writes an event's rare fields only when it has them, and reads back as if it always wrote them. */
@Timeout(60)
class EventSlotTest {
    private final StoreConfig config = new StoreConfig().conclude();
    private final Dictionary dictionary = new Dictionary(config.cardinalityLimits(), config.maxStringLength());

    private static Event rich() {
        return new Event().timestampMs(1_000).model("gpt-4o").operation("chat").pipeline("rag").step("retrieve")
            .run("r1").task("t1").config("c1").tool("search").agent("planner").errorType("timeout")
            .provider("openai").latencyNs(5_000).ttftNs(700).queueWaitNs(30).promptTokens(12).completionTokens(34)
            .cachedTokens(5).cacheWriteTokens(6).reasoningTokens(7).memoryBytes(8).cpuNs(9).costUsd(0.5)
            .quality("faithfulness", 0.9).tag("team", "search");
    }

    private static Event plain() {
        return new Event().timestampMs(2_000).model("claude").latencyNs(1_234).promptTokens(3).completionTokens(4);
    }

    @Test
    void anEventWithoutRareFieldsReadsTheSameInAUsedSlotAsInANewOne() throws Exception {
        final EventSlot used = new EventSlot();
        used.fill(rich(), dictionary, Anonymizer.NONE);
        assertTrue(used.extras);
        used.fill(plain(), dictionary, Anonymizer.NONE);
        final EventSlot fresh = new EventSlot();
        fresh.fill(plain(), dictionary, Anonymizer.NONE);
        assertSameContent(fresh, used);
        assertEquals(false, used.extras, "the rare fields were cleared once");
    }

    @Test
    void anEventAfterAMetricSampleCarriesNoneOfItsTags() throws Exception {
        final EventSlot used = new EventSlot();
        used.fill(plain(), dictionary, Anonymizer.NONE);
        used.fill(new MetricSample().name("gpu.util").value(0.5).tag("gpu", "0"), dictionary, Anonymizer.NONE);
        assertEquals(1, used.tagCount);
        used.fill(plain(), dictionary, Anonymizer.NONE);
        final EventSlot fresh = new EventSlot();
        fresh.fill(plain(), dictionary, Anonymizer.NONE);
        assertEquals(0, used.tagCount);
        assertSameContent(fresh, used, "metric");   // a sample's own fields, which no event reads
    }

    @Test
    void anEventWithOneRareFieldCarriesAllOfThem() throws Exception {
        final EventSlot slot = new EventSlot();
        slot.fill(plain(), dictionary, Anonymizer.NONE);
        slot.fill(rich(), dictionary, Anonymizer.NONE);
        assertNotEquals(0, slot.pipeline);
        assertNotEquals(0, slot.agent);
        assertEquals(30, slot.queueWaitNs);
        assertEquals(9, slot.cpuNs);
        assertEquals(1, slot.qualityCount);
        assertEquals(1, slot.tagCount);
        final EventSlot fresh = new EventSlot();
        fresh.fill(rich(), dictionary, Anonymizer.NONE);
        assertSameContent(fresh, slot);
    }

    @Test
    void aStoreWhoseSlotsAlternateRichAndPlainEventsCountsEachWhereItBelongs() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().ringSize(16)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK))) {
            final long now = System.currentTimeMillis();
            final Event event = new Event();
            for (int i = 0; i < 1_000; i++) {
                event.reset().timestampMs(now).model("gpt-4o").latencyNs(1_000 + i);
                if (i % 3 == 0) {
                    event.pipeline("rag").step("retrieve").tag("team", "search").cachedTokens(2);
                }
                assertTrue(store.record(event));
            }
            assertTrue(store.flush(30, TimeUnit.SECONDS));
            assertEquals(1_000, store.aggregates().subjectWindow(Subject.model("gpt-4o"), now - 1, now + 1,
                store.aggregates().newWindowStats()).count());
            assertEquals(334, store.aggregates().subjectWindow(Subject.pipeline("rag"), now - 1, now + 1,
                store.aggregates().newWindowStats()).count());
            assertEquals(334, store.aggregates().subjectWindow(Subject.step("rag", "retrieve"), now - 1, now + 1,
                store.aggregates().newWindowStats()).count());
        }
    }

    /** Every field of the two slots but {@code extras} is equal (an array up to its count). */
    private static void assertSameContent(final EventSlot expected, final EventSlot actual) throws Exception {
        assertSameContent(expected, actual, "extras");
    }

    /** As above, leaving out also the fields whose name starts with {@code ignored}. */
    private static void assertSameContent(final EventSlot expected, final EventSlot actual, final String ignored)
        throws Exception {
        for (final Field f : EventSlot.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) || f.getName().equals("extras") || f.getName().startsWith(ignored)) {
                continue;
            }
            final Object e = f.get(expected);
            final Object a = f.get(actual);
            if (e instanceof int[]) {
                final int n = f.getName().startsWith("quality") ? expected.qualityCount : expected.tagCount;
                assertArrayEquals(Arrays.copyOf((int[])e, n), Arrays.copyOf((int[])a, n), f.getName());
            } else if (e instanceof double[]) {
                final int n = expected.qualityCount;
                assertArrayEquals(Arrays.copyOf((double[])e, n), Arrays.copyOf((double[])a, n), f.getName());
            } else {
                assertEquals(e, a, f.getName());
            }
        }
    }
}
