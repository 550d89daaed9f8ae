package dev.ringmeter.core.dictionary;

import dev.ringmeter.CardinalityLimitException;
import dev.ringmeter.Event;
import dev.ringmeter.MetricSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(30)
class DictionaryAdmissionTest {
    private static Dictionary dictionary(final int qualityLimit, final int maxStringLength) {
        final int[] limits = new int[Dimension.VALUES.length];
        for (final Dimension d : Dimension.VALUES) {
            limits[d.ordinal()] = d.defaultLimit();
        }
        limits[Dimension.QUALITY_NAME.ordinal()] = qualityLimit;
        return new Dictionary(limits, maxStringLength);
    }

    private static Event[] events(final int n, final String qualityPrefix) {
        final Event[] events = new Event[n];
        for (int i = 0; i < n; i++) {
            events[i] = new Event().model("m").latencyMs(1.0).quality(qualityPrefix + i, 1);
        }
        return events;
    }

    @Test
    void shouldRegisterEveryNewStringOfABatchInTheOrderTheBatchBringsThem() {
        final Dictionary dictionary = dictionary(4, 16);
        new DictionaryAdmission(dictionary).admitEvents(events(3, "q"), 3);
        assertEquals(3, dictionary.size(Dimension.QUALITY_NAME));
        assertEquals(1, dictionary.find(Dimension.MODEL, "m"));
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, dictionary.find(Dimension.QUALITY_NAME, "q" + i));
        }
    }

    @Test
    void shouldRegisterNothingOfABatchThatWouldPassACardinalityLimitAndNameTheFirstItemPastIt() {
        final Dictionary dictionary = dictionary(4, 16);
        final DictionaryAdmission admission = new DictionaryAdmission(dictionary);
        admission.admitEvents(events(2, "old"), 2);

        final RefusedItemException e = assertThrows(RefusedItemException.class,
            () -> admission.admitEvents(events(3, "new"), 3));
        assertEquals(2, e.index(), "old0, old1, new0, new1 fill the 4; new2 is the first past the limit");
        assertInstanceOf(CardinalityLimitException.class, e.reason());
        assertEquals("quality", e.reason().field());
        assertEquals(2, dictionary.size(Dimension.QUALITY_NAME), "nothing of the refused batch registered");
        assertEquals(1, dictionary.find(Dimension.MODEL, "m"), "the earlier batch's model stays");
    }

    @Test
    void shouldRefuseANewStringPastTheLengthLimitNamingItsFieldAndItem() {
        final Dictionary dictionary = dictionary(4, 16);
        final MetricSample[] samples = {
            new MetricSample().name("short").value(1),
            new MetricSample().name("short").value(1).tag("region", "x".repeat(17)),
        };
        final RefusedItemException e = assertThrows(RefusedItemException.class,
            () -> new DictionaryAdmission(dictionary).admitSamples(samples, 2));
        assertEquals(1, e.index());
        assertEquals("tags", e.reason().field());
        assertEquals("tags must be at most 16 characters but was 17", e.getMessage());
        assertEquals(0, dictionary.find(Dimension.METRIC_NAME, "short"), "nothing registered");
    }

    @Test
    void shouldApplyTheSameRulesAsTheDictionaryItself() {
        final Dictionary dictionary = dictionary(4, 16);
        final String tooLong = "p".repeat(17);
        final RefusedItemException batch = assertThrows(RefusedItemException.class,
            () -> new DictionaryAdmission(dictionary).admitModels(List.of("fine", tooLong)));
        final RuntimeException single = assertThrows(RuntimeException.class,
            () -> dictionary.id(Dimension.MODEL, tooLong));
        assertEquals(single.getMessage(), batch.getMessage());
        assertEquals(1, batch.index());
        assertEquals(0, dictionary.find(Dimension.MODEL, "fine"));
    }
}
