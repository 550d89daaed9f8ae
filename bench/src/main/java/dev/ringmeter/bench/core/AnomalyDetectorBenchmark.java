package dev.ringmeter.bench.core;

import dev.ringmeter.core.decide.Direction;
import dev.ringmeter.core.watch.AnomalyDetector;
import dev.ringmeter.core.watch.AnomalyParameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One minute scored by an {@link AnomalyDetector} with a full baseline of {@code window} minutes: the cost per
 * (model, metric) per closed minute, and, with {@code -prof gc}, that it allocates nothing. The values cycle
 * through 4,096 log-normal latencies with a spike every 97 minutes, so insertions, evictions, spikes and their
 * ends all happen.
 * <p>
 * Threading: JMH measures it on one thread; its state (Scope.Benchmark) is set up once per trial.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
public class AnomalyDetectorBenchmark {
    private static final int VALUES = 4_096;

    @Param({"60", "120", "1440"})
    public int window;

    private AnomalyDetector detector;
    private final double[] values = new double[VALUES];
    private int next;
    private long minuteMs;

    @Setup(Level.Trial)
    public void fill() {
        final SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < VALUES; i++) {
            values[i] = 1_000 * Math.exp(0.1 * random.nextGaussian()) * (i % 97 == 0 ? 3 : 1);
        }
        detector = new AnomalyDetector(AnomalyParameters.DEFAULTS.withWindow(window, window / 2),
            Direction.LOWER_IS_BETTER);
        for (int i = 0; i < window; i++) {
            update();
        }
    }

    @Benchmark
    public AnomalyDetector.Status update() {
        final double value = values[next];
        next = next + 1 == VALUES ? 0 : next + 1;
        minuteMs += 60_000;
        return detector.update(minuteMs, value);
    }
}
