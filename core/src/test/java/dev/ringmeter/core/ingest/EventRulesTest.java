package dev.ringmeter.core.ingest;

import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.StoreConfig;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(30)
class EventRulesTest {
    private static final long NOW_MS = 1_760_000_400_000L;

    private static EventRules rules() {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(NOW_MS);
        return new EventRules(new StoreConfig().clock(clock).maxFutureSkewMs(1_000));
    }

    @Test
    void shouldAcceptATimeUpToTheSkewAheadOfTheStoresClockAndRefuseOneMillisecondMore() {
        final EventRules rules = rules();
        assertDoesNotThrow(() -> rules.check(new Event().model("m").latencyMs(1.0).timestampMs(NOW_MS + 1_000)));
        final InvalidEventException e = assertThrows(InvalidEventException.class,
            () -> rules.check(new Event().model("m").latencyMs(1.0).timestampMs(NOW_MS + 1_001)));
        assertEquals("timestamp", e.field());
        assertEquals("timestamp lies more than 1000 ms in the future", e.getMessage());
        assertThrows(InvalidEventException.class,
            () -> rules.check(new MetricSample().name("n").value(1).timestampMs(NOW_MS + 1_001)));
    }

    @Test
    void shouldRefuseAnEventOrSampleMissingARequiredField() {
        final EventRules rules = rules();
        assertEquals("model", assertThrows(InvalidEventException.class,
            () -> rules.check(new Event().latencyMs(1.0))).field());
        assertEquals("latencyMs", assertThrows(InvalidEventException.class,
            () -> rules.check(new Event().model("m"))).field());
        assertEquals("value", assertThrows(InvalidEventException.class,
            () -> rules.check(new MetricSample().name("n"))).field());
    }

    @Test
    void shouldRefuseAPriceThatIsNegativeOrNotFiniteAndAModelThatIsEmpty() {
        assertDoesNotThrow(() -> PriceRules.check("m", 0, 2.5));
        assertEquals("inputUsdPerMillion", assertThrows(InvalidEventException.class,
            () -> PriceRules.check("m", -1, 1)).field());
        assertEquals("outputUsdPerMillion", assertThrows(InvalidEventException.class,
            () -> PriceRules.check("m", 1, Double.POSITIVE_INFINITY)).field());
        assertEquals("outputUsdPerMillion", assertThrows(InvalidEventException.class,
            () -> PriceRules.check("m", 1, Double.NaN)).field());
        assertEquals("model", assertThrows(InvalidEventException.class, () -> PriceRules.check("", 1, 1)).field());
    }
}
