package dev.ringmeter.bench.core;

import dev.ringmeter.core.decide.Comparison;
import dev.ringmeter.core.decide.Direction;
import dev.ringmeter.core.decide.Significance;
import org.HdrHistogram.Histogram;
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
 * "Is model b's P95 latency really higher than model a's?": one percentile comparison with the default 2,000
 * bootstrap replicates between two latency histograms of {@code events} events each, built as the store builds
 * them (microseconds, 2 significant digits, log-normal latencies around 800 ms and 860 ms). The bootstrap draws
 * from the histograms, so the cost must not grow with the number of events, only with the histograms' buckets.
 * <p>
 * Threading: JMH measures it on one thread; its state (Scope.Benchmark) is set up once per trial.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
public class SignificanceBenchmark {
    @Param({"1000", "1000000"})
    public int events;

    private Histogram a;
    private Histogram b;

    @Setup(Level.Trial)
    public void fill() {
        final SplittableRandom random = new SplittableRandom(17);
        a = new Histogram(2);
        b = new Histogram(2);
        for (int i = 0; i < events; i++) {
            a.recordValue(Math.round(800_000 * Math.exp(0.5 * random.nextGaussian())));
            b.recordValue(Math.round(860_000 * Math.exp(0.5 * random.nextGaussian())));
        }
    }

    @Benchmark
    public Comparison p95Comparison() {
        return Significance.percentile(a, b, 95, Direction.LOWER_IS_BETTER);
    }
}
