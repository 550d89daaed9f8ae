package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.watch.alert.AlertMetric;
import dev.ringmeter.core.watch.alert.AlertRule;
import dev.ringmeter.core.watch.alert.AlertScope;
import dev.ringmeter.core.watch.alert.AlertTransition;
import org.agrona.concurrent.CachedEpochClock;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What one evaluation of the alert rules costs ({@code AlertEvaluator.tick}): 1,000 rules over 8 models and all
 * models, each with one of four metrics (p95, error rate, TTFT p95, cost) over one of three windows (5 min, 15 min,
 * 1 h), on an in-memory store fed with 200,000 events over the last hour. The thresholds are out of reach, so every
 * tick is the steady state: windows computed (once per scope and window, shared by the rules), values compared,
 * nothing journaled. Divide by the rules for the cost per rule; by the interval (5 s) for the share of a core.
 * <p>
 * Threading: JMH measures it on one thread; its state (Scope.Benchmark) is set up once per trial.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class AlertEvaluatorBenchmark {
    private static final long T0 = 1_760_000_400_000L;
    private static final String[] METRICS = {"p95", "error_rate", "ttft_p95", "cost_usd"};
    private static final long[] WINDOWS_MS = {300_000, 900_000, 3_600_000};

    @Param({"1000"})
    public int rules;

    private final CachedEpochClock clock = new CachedEpochClock();
    private EmbeddedStore store;
    private long nowMs;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        clock.update(T0);
        store = EmbeddedStore.open(new StoreConfig().clock(clock).alertEvaluationIntervalMs(0)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK));
        final Event e = new Event();
        final int events = 200_000;
        for (int i = 0; i < events; i++) {
            final long t = T0 + i * (3_600_000L / events);
            clock.update(t);
            store.record(e.reset().model("m" + (i & 7)).operation("chat").timestampMs(t)
                .latencyNs(1_000_000L + (i % 997) * 300_000L).ttftNs(500_000L + (i % 101) * 100_000L)
                .status(i % 50 == 0 ? Status.ERROR : Status.OK).promptTokens(500).completionTokens(100)
                .costUsd(0.0005));
        }
        if (!store.flush(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not applied");
        }
        nowMs = T0 + 3_600_000L;
        clock.update(nowMs);
        for (int r = 0; r < rules; r++) {
            final int model = r % 9;
            store.alerts().putRule(new AlertRule("r" + r, "rule " + r, model == 8 ? AlertScope.ALL
                : AlertScope.parse("model:m" + model), AlertMetric.parse(METRICS[r / 9 % 4]),
                WINDOWS_MS[r / 36 % 3], AlertRule.Comparator.GT, 1e12, Double.NaN, 60_000, 10, List.of(), null,
                null));
        }
        if (!store.alertEvaluator().tick(nowMs).isEmpty()) {
            throw new IllegalStateException("a rule changed state: the benchmark measures the steady state");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
    }

    @Benchmark
    public List<AlertTransition> tick() throws InterruptedException {
        return store.alertEvaluator().tick(nowMs);
    }
}
