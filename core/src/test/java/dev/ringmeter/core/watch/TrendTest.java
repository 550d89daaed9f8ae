package dev.ringmeter.core.watch;

import dev.ringmeter.core.decide.Direction;
import dev.ringmeter.core.query.Series;
import dev.ringmeter.core.query.SeriesMetric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trend of a per-step series: Mann–Kendall and Theil–Sen against a brute-force computation written here from
 * their definitions (with ties and empty steps), a worked example by hand, and the verdicts in each metric's
 * direction.
 */
@Timeout(30)
class TrendTest {
    private static final long STEP_MS = 60_000;
    private static final long WINDOW_START_MS = 1_800_000_000_000L;

    /** A series of the previous window's and the window's values, one step apart from WINDOW_START_MS − n·step. */
    private static Series series(final String metric, final double[] previous, final double[] current) {
        final int n = previous.length + current.length;
        final long[] t = new long[n];
        final double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = WINDOW_START_MS + (i - previous.length) * STEP_MS;
            v[i] = i < previous.length ? previous[i] : current[i - previous.length];
        }
        return new Series(metric, STEP_MS, t, v);
    }

    private static Trend trend(final String metric, final double[] previous, final double[] current) {
        return Trend.of(series(metric, previous, current), WINDOW_START_MS, SeriesMetric.parse(metric).direction());
    }

    @Test
    void shouldMatchAWorkedExampleWithTies() {
        // 1, 2, 2, 3: five rising pairs, one tie; Var = (4·3·13 − 2·1·9) / 18 = 138 / 18; Z = (5 − 1) / √Var.
        final Trend t = trend("p95", new double[0], new double[] {1, 2, 2, 3});
        assertEquals(5, t.s());
        assertEquals(138.0 / 18, t.variance(), 1e-12);
        assertEquals(4 / Math.sqrt(138.0 / 18), t.z(), 1e-12);
        // pairwise slopes per minute: 1, 1/2, 2/3, 0, 1/2, 1 → median of 0, .5, .5, .667, 1, 1 is (.5 + .667) / 2.
        assertEquals((0.5 + 2.0 / 3) / 2 * 60, t.slopePerHour(), 1e-9);
        assertEquals(TrendVerdict.INSUFFICIENT_DATA, t.verdict());
    }

    @Test
    void shouldGiveTheNormalTwoSidedPValues() {
        assertEquals(1, Trend.twoSidedP(0), 1e-7);
        assertEquals(0.05, Trend.twoSidedP(1.959964), 1e-6);
        assertEquals(0.05, Trend.twoSidedP(-1.959964), 1e-6);
        assertEquals(0.01, Trend.twoSidedP(2.575829), 1e-6);
        assertEquals(0.3173105, Trend.twoSidedP(1), 1e-6);
    }

    @Test
    void shouldAgreeWithTheDefinitionsOnRandomSeriesWithTiesAndEmptySteps() {
        final SplittableRandom random = new SplittableRandom(13);
        for (int round = 0; round < 200; round++) {
            final int n = 2 + random.nextInt(60);
            final double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                // few distinct values so that ties are common; one step in five empty
                v[i] = random.nextInt(5) == 0 ? Double.NaN : random.nextInt(6) + round % 3 * i * 0.1;
            }
            final Trend t = trend("p95", new double[] {Double.NaN, 4}, v);
            final List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!Double.isNaN(v[i])) {
                    idx.add(i);
                }
            }
            final int m = idx.size();
            long s = 0;
            final List<Double> slopes = new ArrayList<>();
            final Map<Double, Integer> groups = new HashMap<>();
            for (int a = 0; a < m; a++) {
                groups.merge(v[idx.get(a)], 1, Integer::sum);
                for (int b = a + 1; b < m; b++) {
                    s += (long) Math.signum(v[idx.get(b)] - v[idx.get(a)]);
                    slopes.add((v[idx.get(b)] - v[idx.get(a)]) / ((idx.get(b) - idx.get(a)) / 60.0));
                }
            }
            double tieTerm = 0;
            for (final int g : groups.values()) {
                tieTerm += g * (g - 1.0) * (2.0 * g + 5);
            }
            final double variance = (m * (m - 1.0) * (2.0 * m + 5) - tieTerm) / 18;
            Collections.sort(slopes);
            final double median = slopes.isEmpty() ? Double.NaN : slopes.size() % 2 == 1
                ? slopes.get(slopes.size() / 2) : (slopes.get(slopes.size() / 2 - 1) + slopes.get(slopes.size() / 2)) / 2;
            assertEquals(m, t.points(), "round " + round);
            assertEquals(s, t.s(), "round " + round);
            assertEquals(variance, t.variance(), 1e-9, "round " + round);
            assertEquals(median, t.slopePerHour(), 1e-9, "round " + round);
            assertEquals(4, t.previousMean(), 0);
        }
    }

    private static double[] line(final int n, final double start, final double perStep, final double noise,
                                 final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        final double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + perStep * i + noise * (random.nextDouble() - 0.5);
        }
        return v;
    }

    @Test
    void shouldCallRisingLatencyDegradingAndFallingLatencyImproving() {
        final Trend rising = trend("p95", line(60, 200, 0, 40, 1), line(60, 200, 2, 40, 2));
        assertEquals(TrendVerdict.DEGRADING, rising.verdict());
        assertTrue(rising.p() < 0.05 && rising.z() > 0, rising.toString());
        assertEquals(120, rising.slopePerHour(), 20);
        assertEquals(rising.currentMean() - rising.previousMean(), rising.change(), 1e-9);
        assertEquals(100 * rising.change() / rising.previousMean(), rising.changePercent(), 1e-9);
        assertTrue(rising.changePercent() > 20, rising.toString());

        final Trend falling = trend("error_rate", new double[0], line(30, 0.5, -0.01, 0.05, 3));
        assertEquals(TrendVerdict.IMPROVING, falling.verdict());
        assertTrue(falling.z() < 0, falling.toString());
        assertTrue(Double.isNaN(falling.change()), "no previous window, no change");
    }

    @Test
    void shouldReadTheMetricsDirection() {
        assertEquals(TrendVerdict.IMPROVING, trend("tokens_per_second", new double[0], line(30, 50, 1, 2, 4)).verdict());
        assertEquals(TrendVerdict.DEGRADING, trend("quality:f1", new double[0], line(30, 0.9, -0.01, 0.02, 5)).verdict());
        assertEquals(TrendVerdict.RISING, trend("count", new double[0], line(30, 10, 1, 2, 6)).verdict());
        assertEquals(TrendVerdict.FALLING, trend("rps", new double[0], line(30, 40, -1, 2, 7)).verdict());
    }

    @Test
    void shouldCallNoiseStable() {
        int stable = 0;
        for (long seed = 0; seed < 100; seed++) {
            final Trend t = trend("p95", new double[0], line(60, 200, 0, 40, seed));
            stable += t.verdict() == TrendVerdict.STABLE ? 1 : 0;
            assertTrue(t.verdict() == TrendVerdict.STABLE || t.p() < 0.05, t.toString());
        }
        // at 95 % about 5 in 100 pure-noise series are called a trend; far fewer than 85 stable means a wrong test
        assertTrue(stable >= 85 && stable < 100, stable + " of 100 noise series stable");
        final Trend flat = trend("p95", new double[0], new double[] {5, 5, 5, 5, 5, 5, 5, 5, 5});
        assertEquals(TrendVerdict.STABLE, flat.verdict());
        assertEquals(0, flat.s());
        assertEquals(0, flat.variance());
        assertEquals(0, flat.slopePerHour());
    }

    @Test
    void shouldGiveNoVerdictUnderTheMinimumOfNonEmptySteps() {
        final double nan = Double.NaN;
        // eight steps, steeply rising, but one empty: seven points are too few; an empty step is not a zero
        final Trend seven = trend("p95", new double[0], new double[] {10, 20, 30, nan, 50, 60, 70, 80});
        assertEquals(Trend.MIN_POINTS - 1, seven.points());
        assertEquals(TrendVerdict.INSUFFICIENT_DATA, seven.verdict());
        assertEquals(320.0 / 7, seven.currentMean(), 1e-12);
        final Trend eight = trend("p95", new double[0], new double[] {10, 20, 30, nan, 50, 60, 70, 80, 90});
        assertEquals(TrendVerdict.DEGRADING, eight.verdict());
        assertEquals(600, eight.slopePerHour(), 1e-9);
        final Trend none = trend("p95", new double[] {1, 2}, new double[] {nan, nan});
        assertEquals(0, none.points());
        assertEquals(TrendVerdict.INSUFFICIENT_DATA, none.verdict());
        assertTrue(Double.isNaN(none.slopePerHour()) && Double.isNaN(none.currentMean()));
    }

    @Test
    void shouldRefuseAWindowOfTooManySteps() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> trend("p95", new double[0], new double[Trend.MAX_POINTS + 1]));
        assertTrue(e.getMessage().contains("at most " + Trend.MAX_POINTS), e.getMessage());
        assertEquals(Direction.LOWER_IS_BETTER, SeriesMetric.parse("cost_usd").direction());
    }
}
