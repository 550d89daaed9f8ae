package dev.ringmeter.core;

import dev.ringmeter.core.cost.CostRecompute;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.test.ChildJvm;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.ringmeter.core.RecomputeCrashChild.RANGE_MS;
import static dev.ringmeter.core.RecomputeCrashChild.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A recompute of costs killed with SIGKILL while its changes are on their way ({@link RecomputeCrashChild}): the
 * store reopens from the snapshot written before it, replays the journaled RECOMPUTE record, and its window holds
 * exactly the cost a completed recompute gives, which the test computes itself; a second recompute changes nothing.
 */
@Tag("slow")
@Timeout(300)
class RecomputeCrashTest {
    /** Enough that the rest of the recompute outlasts the kill by far (half of it takes about 0.3 s here). */
    private static final long EVENTS = 500_000;

    @TempDir
    Path dir;

    /** One event's cost under the child's entry, by hand: 800 input, 200 cached, 400 output, 100 reasoning tokens. */
    private static double pricedCostUsd() {
        return (800 * 2.0 + 200 * 1.0 + 400 * 8.0 + 100 * 20.0) / 1e6;
    }

    @Test
    void shouldHoldTheCostOfACompletedRecomputeAfterAKillInTheMiddleOfIt() throws Exception {
        final Path data = dir.resolve("data");
        final Path errors = dir.resolve("child.err");
        final Process child = new ProcessBuilder(ChildJvm.command(RecomputeCrashChild.class, data.toString(),
            Long.toString(EVENTS))).redirectError(errors.toFile()).start();
        final List<String> lines = new ArrayList<>();
        long childClockMs = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("HALFWAY ")) {
                    child.toHandle().destroyForcibly();   // SIGKILL: no close, no last snapshot
                    childClockMs = Long.parseLong(line.substring("HALFWAY ".length()));
                    break;
                }
            }
            while ((line = out.readLine()) != null) {   // what it printed before it died
                lines.add(line);
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(childClockMs > 0, "the child never reported half of the recompute's changes: " + lines + " "
            + Files.readString(errors, StandardCharsets.UTF_8));
        assertEquals(List.of("SNAPSHOT", "JOURNALED"), lines.subList(0, 2), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("DONE")),
            "the recompute ended before the kill, so this proves nothing: give it more events " + lines);

        double expectedUsd = 0;
        long own = 0;
        for (long i = 0; i < EVENTS; i++) {
            if (RecomputeCrashChild.ownCost(i)) {
                expectedUsd += RecomputeCrashChild.OWN_COST_USD;
                own++;
            } else {
                expectedUsd += pricedCostUsd();
            }
        }
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(childClockMs + 60_000);
        try (EmbeddedStore store = EmbeddedStore.open(RecomputeCrashChild.config(data, clock))) {
            assertTrue(store.recovery().snapshotLoaded(), "reopened from the snapshot written before the recompute");
            assertEquals(1, store.prices().recomputes().size(), "the journaled recompute");
            assertWindow(store, expectedUsd, "after the kill");
            final CostRecompute.Report again = store.recomputeCosts(T0, T0 + RANGE_MS, 60_000);
            assertEquals(0, again.changed(), "a completed recompute leaves nothing to change: " + again);
            assertEquals(EVENTS - own, again.repriced());
            assertEquals(own, again.explicit());
            assertEquals(0, again.unpriced());
            assertWindow(store, expectedUsd, "after a second recompute");
        }
        try (EmbeddedStore store = EmbeddedStore.open(RecomputeCrashChild.config(data, clock))) {
            assertWindow(store, expectedUsd, "from the snapshot written at close");
        }
    }

    private static void assertWindow(final EmbeddedStore store, final double expectedUsd, final String when) {
        final WindowStats w = store.aggregates().window("m", T0, T0 + RANGE_MS, store.aggregates().newWindowStats());
        assertEquals(EVENTS, w.count(), when);
        assertEquals(0, w.costUnknown(), when + ": every event priced, none left unknown");
        // the sums of 500,000 doubles in another order differ in their last bits, far below one event's cost
        assertEquals(expectedUsd, w.costUsd(), pricedCostUsd() / 1_000, when);
    }
}
