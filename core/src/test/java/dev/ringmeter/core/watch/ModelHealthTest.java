package dev.ringmeter.core.watch;

import dev.ringmeter.core.watch.ModelHealth.Figures;
import dev.ringmeter.core.watch.ModelHealth.Parameters;
import dev.ringmeter.core.watch.ModelHealth.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of {@link ModelHealth#assess} at their edges: all calls failed however few, the failing threshold,
 * the minimum of calls, a significant rise in errors, the latency factor; and the thresholds' checks.
 */
@Timeout(10)
class ModelHealthTest {
    private static final Parameters P = Parameters.DEFAULTS;

    private static Figures f(final long calls, final long errors, final double p95Ms) {
        return new Figures(0, 1, calls, errors, calls == 0 ? Double.NaN : (double)errors / calls, p95Ms);
    }

    private static Status status(final Figures recent, final Figures baseline) {
        return ModelHealth.assess("m", recent, baseline, P).status();
    }

    @Test
    void shouldFailEveryCallFailedEvenWithFewCallsAndNoBaseline() {
        final ModelHealth h = ModelHealth.assess("m", f(3, 3, 10), f(0, 0, Double.NaN), P);
        assertEquals(Status.FAILING, h.status());
        assertTrue(h.reason().contains("every call"), h.reason());
        assertEquals(Status.UNKNOWN, status(f(3, 2, 10), f(0, 0, Double.NaN)));
    }

    @Test
    void shouldFailFromTheThresholdOnlyWithEnoughCalls() {
        assertEquals(Status.FAILING, status(f(20, 10, 100), f(100, 0, 100)));
        assertEquals(Status.FAILING, status(f(20, 10, 100), f(5, 0, 100)), "failing needs no baseline");
        assertEquals(Status.DEGRADED, status(f(20, 9, 100), f(100, 0, 100)), "45 % errors: significantly worse");
        assertEquals(Status.UNKNOWN, status(f(19, 9, 100), f(100, 0, 100)));
    }

    @Test
    void shouldDegradeOnTheLatencyFactorAndNotOnNoise() {
        assertEquals(Status.DEGRADED, status(f(50, 0, 150), f(500, 0, 100)));
        assertEquals(Status.OK, status(f(50, 0, 149), f(500, 0, 100)));
        assertEquals(Status.OK, status(f(50, 1, 100), f(500, 5, 100)), "2 % against 1 % on 50 calls is noise");
        assertEquals(Status.UNKNOWN, status(f(50, 0, 300), f(19, 0, 100)));
    }

    @Test
    void shouldRefuseBadThresholdsNamingThem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Parameters(999, 60_000, 0.5, 1.5, 20))
            .getMessage().startsWith("window "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Parameters(60_000, 60_000, 0, 1.5, 20))
            .getMessage().startsWith("failingErrorRate "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Parameters(60_000, 60_000, 0.5, 1, 20))
            .getMessage().startsWith("latencyFactor "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Parameters(60_000, 60_000, 0.5, 1.5, 9))
            .getMessage().startsWith("minCalls "));
    }
}
