package dev.ringmeter.bench.core;

import dev.ringmeter.core.decide.Direction;
import dev.ringmeter.core.watch.AnomalyDetector;
import dev.ringmeter.core.watch.AnomalyParameters;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Detection delay and false alarms of {@link AnomalyDetector} over a grid of parameters (window, spike and shift
 * thresholds, the shift's run length), on synthetic per-minute series, to choose {@link AnomalyParameters#DEFAULTS}
 * from figures rather than guesses.
 * <ul>
 *   <li><b>latency</b>: the P95 of {@value #LATENCY_CALLS} calls a minute, each log-normal (median 1 s, σ 0.5 on
 *   the log), with a diurnal drift of ±20 % over the day;</li>
 *   <li><b>error rate</b>: a binomial count of {@value #ERROR_CALLS} calls a minute at 2 % (±20 % diurnal), over
 *   the calls; its scale is floored at {@value #ERROR_MIN_SCALE} (half a point) for minutes with no error.</li>
 * </ul>
 * False alarms per day: anomalies started on {@value #NULL_DAYS} days with nothing injected. Detection delay: on
 * {@value #TRIALS} trials per size, each a fresh detector warmed on {@value #WARM_MINUTES} minutes at a random
 * time of day, then the rate of the metric multiplied by 1.2, 1.5 or 2 for {@value #AFTER_MINUTES} minutes; the
 * delay is the minutes from the start of the shift until the detector is in an anomaly (1 = flagged when the
 * first shifted minute closes); a trial not flagged within {@value #AFTER_MINUTES} minutes is a miss (its delay
 * counts as infinite in the P95). Spikes: one minute at 3× the latency or 5× the error probability, after the
 * warm-up; the share flagged at that minute.
 * <p>
 * Run: {@code java -cp bench/target/benchmarks.jar dev.ringmeter.bench.core.AnomalyReport [seed]}. Single
 * threaded; about 5 seconds.
 */
public final class AnomalyReport {
    static final int LATENCY_CALLS = 60;
    static final int ERROR_CALLS = 200;
    static final double ERROR_MIN_SCALE = 0.005;
    static final int NULL_DAYS = 30;
    static final int TRIALS = 200;
    static final int WARM_MINUTES = 180;
    static final int AFTER_MINUTES = 120;
    private static final int DAY_MINUTES = 1_440;
    private static final double[] SHIFTS = {1.2, 1.5, 2.0};
    private static final int[] WINDOWS = {30, 60, 120};
    private static final double[][] THRESHOLDS = {{5, 3}, {6, 3}, {6, 3.5}, {8, 4}};
    private static final int[] RUNS = {3, 5, 10};

    private AnomalyReport() {
    }

    /** A metric's synthetic generator: its value at a minute of the day, times a factor on its rate. */
    private interface Metric {
        double value(SplittableRandom random, int minuteOfDay, double factor);
    }

    /** The series a grid point is run on, generated once. */
    private record Data(double[] nullSeries, double[][][] shiftTrials, double[][] spikeTrials) {
    }

    public static void main(final String[] args) {
        final long seed = args.length > 0 ? Long.parseLong(args[0]) : 13;
        final Metric latency = (random, minuteOfDay, factor) -> latencyP95(random, minuteOfDay, factor);
        final Metric errors = (random, minuteOfDay, factor) -> errorRate(random, minuteOfDay, factor);
        report("latency P95 (lower is better)", data(latency, 3.0, seed), 0);
        report("error rate (lower is better; minScale " + ERROR_MIN_SCALE + ")", data(errors, 5.0, seed + 1),
            ERROR_MIN_SCALE);
    }

    private static Data data(final Metric metric, final double spikeFactor, final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        final double[] nullSeries = new double[NULL_DAYS * DAY_MINUTES];
        for (int i = 0; i < nullSeries.length; i++) {
            nullSeries[i] = metric.value(random, i % DAY_MINUTES, 1);
        }
        final double[][][] shifts = new double[SHIFTS.length][TRIALS][];
        for (int s = 0; s < SHIFTS.length; s++) {
            for (int t = 0; t < TRIALS; t++) {
                shifts[s][t] = trial(metric, random, SHIFTS[s], AFTER_MINUTES);
            }
        }
        final double[][] spikes = new double[TRIALS][];
        for (int t = 0; t < TRIALS; t++) {
            spikes[t] = trial(metric, random, spikeFactor, 1);
        }
        return new Data(nullSeries, shifts, spikes);
    }

    private static double[] trial(final Metric metric, final SplittableRandom random, final double factor,
                                  final int minutes) {
        final double[] series = new double[WARM_MINUTES + minutes];
        final int startOfDay = random.nextInt(DAY_MINUTES);
        for (int i = 0; i < series.length; i++) {
            series[i] = metric.value(random, (startOfDay + i) % DAY_MINUTES, i < WARM_MINUTES ? 1 : factor);
        }
        return series;
    }

    private static double diurnal(final int minuteOfDay) {
        return 1 + 0.2 * Math.sin(2 * Math.PI * minuteOfDay / DAY_MINUTES);
    }

    private static double latencyP95(final SplittableRandom random, final int minuteOfDay, final double factor) {
        final double[] calls = new double[LATENCY_CALLS];
        final double scale = 1_000 * diurnal(minuteOfDay) * factor;
        for (int i = 0; i < calls.length; i++) {
            calls[i] = scale * Math.exp(0.5 * gaussian(random));
        }
        Arrays.sort(calls);
        return calls[(int) Math.ceil(0.95 * calls.length) - 1];
    }

    private static double errorRate(final SplittableRandom random, final int minuteOfDay, final double factor) {
        final double p = Math.min(1, 0.02 * diurnal(minuteOfDay) * factor);
        int errors = 0;
        for (int i = 0; i < ERROR_CALLS; i++) {
            if (random.nextDouble() < p) {
                errors++;
            }
        }
        return (double) errors / ERROR_CALLS;
    }

    private static double gaussian(final SplittableRandom random) {
        double u;
        do {
            u = random.nextDouble();
        } while (u == 0);
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    private static void report(final String title, final Data data, final double minScale) {
        System.out.println();
        System.out.println("### " + title);
        System.out.println();
        System.out.println("| window | spike | shift | k | false alarms/day | +20 % delay med / P95 (found) "
            + "| +50 % delay med / P95 (found) | ×2 delay med / P95 (found) | spikes found |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (final int window : WINDOWS) {
            for (final double[] thresholds : THRESHOLDS) {
                for (final int k : RUNS) {
                    final AnomalyParameters p = AnomalyParameters.DEFAULTS.withWindow(window, window / 2)
                        .withThresholds(thresholds[0], thresholds[1], k).withMinScale(minScale);
                    final StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %d "
                        + "| %.2f ", window, thresholds[0], thresholds[1], k, falseAlarmsPerDay(p, data.nullSeries)));
                    for (final double[][] trials : data.shiftTrials) {
                        row.append(delays(p, trials));
                    }
                    row.append(String.format(Locale.ROOT, "| %.0f %% |", 100 * spikesFound(p, data.spikeTrials)));
                    System.out.println(row);
                }
            }
        }
    }

    private static double falseAlarmsPerDay(final AnomalyParameters p, final double[] series) {
        final AnomalyDetector d = new AnomalyDetector(p, Direction.LOWER_IS_BETTER);
        int started = 0;
        for (int i = 0; i < series.length; i++) {
            if (d.update(i * 60_000L, series[i]) == AnomalyDetector.Status.STARTED) {
                started++;
            }
        }
        return (double) started / NULL_DAYS;
    }

    private static String delays(final AnomalyParameters p, final double[][] trials) {
        final int[] delays = new int[trials.length];
        int found = 0;
        for (int t = 0; t < trials.length; t++) {
            final AnomalyDetector d = new AnomalyDetector(p, Direction.LOWER_IS_BETTER);
            delays[t] = Integer.MAX_VALUE;
            for (int i = 0; i < trials[t].length; i++) {
                d.update(i * 60_000L, trials[t][i]);
                if (i >= WARM_MINUTES && d.active()) {
                    delays[t] = i - WARM_MINUTES + 1;
                    found++;
                    break;
                }
            }
        }
        Arrays.sort(delays);
        return String.format(Locale.ROOT, "| %s / %s (%.0f %%) ", minutes(delays[delays.length / 2]),
            minutes(delays[(int) Math.ceil(0.95 * delays.length) - 1]), 100.0 * found / trials.length);
    }

    private static String minutes(final int delay) {
        return delay == Integer.MAX_VALUE ? ">" + AFTER_MINUTES : Integer.toString(delay);
    }

    private static double spikesFound(final AnomalyParameters p, final double[][] trials) {
        int found = 0;
        for (final double[] trial : trials) {
            final AnomalyDetector d = new AnomalyDetector(p, Direction.LOWER_IS_BETTER);
            for (int i = 0; i < trial.length; i++) {
                if (d.update(i * 60_000L, trial[i]) == AnomalyDetector.Status.STARTED && i == WARM_MINUTES) {
                    found++;
                }
            }
        }
        return (double) found / trials.length;
    }
}
