package dev.ringmeter.core.watch;

import dev.ringmeter.core.decide.Direction;
import dev.ringmeter.core.watch.AnomalyDetector.Kind;
import dev.ringmeter.core.watch.AnomalyDetector.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The anomaly detector on series built so that the baseline's median and MAD, and hence each minute's score, are
 * known: shifts flagged after the run the parameters ask for, spikes flagged and ended, noise never flagged, the
 * good direction ignored, no verdict on too few points, and the floor on the MAD; the baseline against a
 * brute-force median and MAD.
 */
@Timeout(30)
class AnomalyDetectorTest {
    private static final long MINUTE_MS = 60_000;
    private static final long T0_MS = 1_800_000_000_000L;
    private static final AnomalyParameters P = AnomalyParameters.DEFAULTS;
    /** A baseline cycling 98..102: median 100, MAD 1, so the scale is the floor, 5 % of 100. */
    private static final double[] CYCLE = {98, 99, 100, 101, 102};
    private static final double SCALE = P.madFloorFraction() * 100;

    private static long minute(final int i) {
        return T0_MS + i * MINUTE_MS;
    }

    /** Feeds a full window of the cycle; returns the next minute's index. */
    private static int warm(final AnomalyDetector d) {
        int i = 0;
        for (; i < P.window(); i++) {
            assertNotEquals(Status.STARTED, d.update(minute(i), CYCLE[i % CYCLE.length]));
        }
        return i;
    }

    @Test
    void shouldFlagAShiftBelowTheSpikeThresholdAfterTheRunTheParametersAsk() {
        final AnomalyDetector d = new AnomalyDetector(P, Direction.LOWER_IS_BETTER);
        final int shiftAt = warm(d);
        final double score = (P.shiftThreshold() + P.spikeThreshold()) / 2;
        final double shifted = 100 + score * SCALE;
        final int expectedFlagAt = shiftAt + P.shiftMinutes() - 1;
        int flaggedAt = -1;
        for (int i = shiftAt; i < shiftAt + 3 * P.shiftMinutes(); i++) {
            final Status s = d.update(minute(i), shifted);
            if (s == Status.STARTED) {
                flaggedAt = i;
                break;
            }
            assertEquals(Status.NORMAL, s, "minute " + i);
        }
        assertEquals(expectedFlagAt, flaggedAt);
        assertEquals(Kind.SHIFT, d.kind());
        assertEquals(minute(shiftAt), d.startMs());
        assertEquals(100.0, d.expected());
        assertEquals(shifted, d.observed());
        assertEquals(score, d.score(), 1e-9);
        assertEquals(Status.ONGOING, d.update(minute(expectedFlagAt + 1), shifted));
        assertEquals(Status.ENDED, d.update(minute(expectedFlagAt + 2), 100));
        assertEquals(minute(expectedFlagAt + 2), d.endMs());
        assertFalse(d.active());
    }

    @Test
    void shouldFlagALargeShiftAtItsFirstMinuteAndCallItAShiftOnceItLasts() {
        final AnomalyDetector d = new AnomalyDetector(P, Direction.LOWER_IS_BETTER);
        final int shiftAt = warm(d);
        assertEquals(Status.STARTED, d.update(minute(shiftAt), 200));
        assertEquals(Kind.SPIKE, d.kind());
        for (int i = 1; i < P.shiftMinutes(); i++) {
            assertEquals(Status.ONGOING, d.update(minute(shiftAt + i), 200));
        }
        assertEquals(Kind.SHIFT, d.kind());
        assertEquals(minute(shiftAt), d.startMs());
        // the new level becomes the baseline once it fills half the window, and the anomaly ends
        int i = shiftAt + P.shiftMinutes();
        Status s;
        do {
            s = d.update(minute(i++), 200);
        } while (s == Status.ONGOING && i < shiftAt + P.window());
        assertEquals(Status.ENDED, s);
        assertTrue(i - shiftAt >= P.window() / 2 && i - shiftAt <= P.window() / 2 + 2, "ended after " + (i - shiftAt));
    }

    @Test
    void shouldFlagASpikeAndEndItWhenTheValueReturns() {
        final AnomalyDetector d = new AnomalyDetector(P, Direction.LOWER_IS_BETTER);
        final int at = warm(d);
        final double spike = 100 + (P.spikeThreshold() + 1) * SCALE;
        assertEquals(Status.STARTED, d.update(minute(at), spike));
        assertTrue(d.active());
        assertEquals(Kind.SPIKE, d.kind());
        assertEquals(minute(at), d.startMs());
        assertEquals(100.0, d.expected());
        assertEquals(spike, d.observed());
        assertEquals(P.spikeThreshold() + 1, d.score(), 1e-9);
        assertEquals(Status.ENDED, d.update(minute(at + 1), 101));
        assertEquals(minute(at + 1), d.endMs());
        assertEquals(Kind.SPIKE, d.kind());
        assertEquals(Status.NORMAL, d.update(minute(at + 2), 99));
    }

    @Test
    void shouldSkipEmptyMinutesWithoutBreakingARun() {
        final AnomalyDetector d = new AnomalyDetector(P, Direction.LOWER_IS_BETTER);
        int i = warm(d);
        final double shifted = 100 + (P.shiftThreshold() + 0.5) * SCALE;
        for (int k = 0; k < P.shiftMinutes() - 1; k++) {
            assertEquals(Status.NORMAL, d.update(minute(i++), shifted));
            assertEquals(Status.SKIPPED, d.update(minute(i++), Double.NaN));
        }
        assertEquals(Status.STARTED, d.update(minute(i), shifted));
    }

    @Test
    void shouldNeverFlagASeriesWithinItsNoiseOverAWeek() {
        final SplittableRandom random = new SplittableRandom(13);
        final AnomalyDetector d = new AnomalyDetector(P, Direction.LOWER_IS_BETTER);
        final int minutes = 7 * 1_440;
        int scored = 0;
        for (int i = 0; i < minutes; i++) {
            // noise of 10 % (twice the floor): only the MAD keeps it within bounds; values within ±2.5 sigma
            final double noise = Math.max(-2.5, Math.min(2.5, gaussian(random)));
            final Status s = d.update(minute(i), 100 + 10 * noise);
            assertFalse(s == Status.STARTED, "flagged at minute " + i + ": " + d.score());
            if (s == Status.NORMAL) {
                scored++;
            }
        }
        assertEquals(minutes - P.minPoints(), scored);
    }

    @Test
    void shouldNeverFlagTheGoodDirection() {
        for (final Direction direction : Direction.values()) {
            final AnomalyDetector d = new AnomalyDetector(P, direction);
            final AnomalyDetector opposite = new AnomalyDetector(P,
                direction == Direction.LOWER_IS_BETTER ? Direction.HIGHER_IS_BETTER : Direction.LOWER_IS_BETTER);
            int i = warm(d);
            warm(opposite);
            // a good move as far as a spike and as long as a shift, in the direction's good way
            final double good = direction == Direction.LOWER_IS_BETTER ? 10 : 400;
            boolean oppositeFlagged = false;
            for (int k = 0; k < P.window(); k++, i++) {
                assertFalse(d.update(minute(i), good) == Status.STARTED, direction + " at " + k);
                oppositeFlagged |= opposite.update(minute(i), good) == Status.STARTED;
            }
            assertTrue(oppositeFlagged, "the same move is bad for the other direction");
        }
    }

    @Test
    void shouldGiveNoVerdictOnTooFewPoints() {
        final AnomalyDetector d = new AnomalyDetector(P, Direction.LOWER_IS_BETTER);
        for (int i = 0; i < P.minPoints(); i++) {
            assertEquals(Status.INSUFFICIENT_DATA, d.update(minute(i), i == P.minPoints() - 1 ? 1e6 : 100));
            assertEquals(Status.SKIPPED, d.update(minute(i), Double.NaN));
        }
        assertFalse(d.active());
        assertTrue(Double.isNaN(d.lastScore()));
        assertEquals(Status.STARTED, d.update(minute(P.minPoints()), 1e6));
    }

    @Test
    void shouldFloorTheMadOfAConstantSeries() {
        final AnomalyDetector d = new AnomalyDetector(P, Direction.LOWER_IS_BETTER);
        int i = 0;
        for (; i < P.window(); i++) {
            d.update(minute(i), 100);
        }
        // MAD is 0: without the floor 100.01 would score infinite
        assertEquals(Status.NORMAL, d.update(minute(i++), 100.01));
        assertEquals(SCALE, d.lastScale());
        assertEquals(0.01 / SCALE, d.lastScore(), 1e-12);
        assertEquals(Status.NORMAL, d.update(minute(i++), 100 + (P.spikeThreshold() - 0.01) * SCALE));
        assertEquals(Status.STARTED, d.update(minute(i), 100 + P.spikeThreshold() * SCALE));
    }

    @Test
    void shouldFloorTheScaleOfAZeroSeriesWithMinScale() {
        final AnomalyDetector d = new AnomalyDetector(P.withMinScale(0.01), Direction.LOWER_IS_BETTER);
        int i = 0;
        for (; i < P.window(); i++) {
            d.update(minute(i), 0);
        }
        assertEquals(Status.NORMAL, d.update(minute(i++), 0.005));
        assertEquals(0.01, d.lastScale());
        assertEquals(Status.STARTED, d.update(minute(i), 0.01 * P.spikeThreshold()));
    }

    @Test
    void shouldKeepTheMedianAndMadOfTheLastWindowOfMinutes() {
        final SplittableRandom random = new SplittableRandom(7);
        final AnomalyParameters p = P.withWindow(11, 5);
        final AnomalyDetector d = new AnomalyDetector(p, Direction.LOWER_IS_BETTER);
        final double[] history = new double[2_000];
        for (int i = 0; i < history.length; i++) {
            // few distinct values, so ties and duplicates are evicted and inserted all the time
            history[i] = random.nextInt(8) * 0.5;
            d.update(minute(i), history[i]);
            if (i + 1 > p.minPoints()) {
                final double[] base = Arrays.copyOfRange(history, Math.max(0, i - p.window()), i);
                final double median = median(base);
                final double[] dev = new double[base.length];
                for (int k = 0; k < base.length; k++) {
                    dev[k] = Math.abs(base[k] - median);
                }
                final double scale = Math.max(AnomalyDetector.MAD_TO_SIGMA * median(dev),
                    p.madFloorFraction() * Math.abs(median));
                assertEquals(median, d.lastMedian(), "median at " + i);
                assertEquals(scale, d.lastScale(), 1e-12, "scale at " + i);
            }
        }
    }

    @Test
    void shouldRejectParametersOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> P.withWindow(1, 1));
        assertThrows(IllegalArgumentException.class, () -> P.withWindow(60, 61));
        assertThrows(IllegalArgumentException.class, () -> P.withThresholds(2, 3, 5));
        assertThrows(IllegalArgumentException.class, () -> P.withThresholds(6, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> P.withMinScale(-1));
        assertThrows(IllegalArgumentException.class, () -> new AnomalyParameters(60, 30, 6, 3, 5, 0, 0));
        final AnomalyDetector d = new AnomalyDetector(P, Direction.LOWER_IS_BETTER);
        assertThrows(IllegalArgumentException.class, () -> d.update(0, Double.POSITIVE_INFINITY));
    }

    private static double median(final double[] values) {
        final double[] s = values.clone();
        Arrays.sort(s);
        final int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double gaussian(final SplittableRandom random) {
        double u;
        do {
            u = random.nextDouble();
        } while (u == 0);
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    @Test
    void shouldNotFlagAConstantZeroSeriesWithoutAFloorInTheMetricsUnit() {
        // an error rate of 0 every minute: median 0, MAD 0, 5 % of 0 is 0, and no minScale
        final AnomalyDetector d = new AnomalyDetector(P, Direction.LOWER_IS_BETTER);
        for (int i = 0; i < 2 * P.window(); i++) {
            final Status s = d.update(minute(i), 0.0);
            assertTrue(s == Status.INSUFFICIENT_DATA || s == Status.NORMAL, "minute " + i + ": " + s);
        }
        assertFalse(d.active());
        assertEquals(0.0, d.lastScore(), 0.0, "a value at the median scores 0, not 0 / 0");
        assertEquals(Status.STARTED, d.update(minute(2 * P.window()), 0.01),
            "any rise over a scale of 0 is out of bounds");
    }
}
