package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.run.RunSummary;
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

import java.util.concurrent.TimeUnit;

/**
 * What reading one run's detail costs ({@code store.runs().get(id)}: its summary copied under the aggregates'
 * lock, with its latency histogram) once 1 M events (a quarter of them task events over 10,000 task ids, the rest
 * calls over four steps) were recorded to it. The figure does not grow with the events: a run's state is bounded.
 * <p>
 * Threading: JMH measures it on one thread; its state (Scope.Benchmark) is set up once per trial.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class RunSummaryBenchmark {
    @Param({"1000000"})
    public int events;

    private EmbeddedStore store;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        store = EmbeddedStore.open(new StoreConfig().fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK));
        store.runs().create("bench", "bench", java.util.Map.of("temperature", 0.2), null, events / 4);
        final Event e = new Event();
        final String[] steps = {"retrieve", "rerank", "generate", "judge"};
        final String[] tasks = new String[10_000];
        for (int t = 0; t < tasks.length; t++) {
            tasks[t] = "t" + t;
        }
        for (int i = 0; i < events; i++) {
            final String task = tasks[(i >> 2) % tasks.length];
            if ((i & 3) == 3) {
                e.reset().model("m").operation("task").run("bench").task(task).latencyNs(900_000_000L)
                    .status(i % 40 == 3 ? Status.ERROR : Status.OK).retries(i % 12 == 3 ? 1 : 0)
                    .quality("accuracy", (i % 10) / 10.0);
            } else {
                e.reset().model("m").operation("chat").run("bench").task(task).step(steps[i & 3])
                    .latencyNs(1_000_000L + (i % 997) * 100_000L).promptTokens(800).completionTokens(200)
                    .costUsd(0.001);
            }
            store.record(e);
        }
        if (!store.flush(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not applied");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
    }

    @Benchmark
    public RunSummary detail() {
        return store.runs().get("bench");
    }
}
