package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.aggregate.AggregateApplyHarness;
import org.agrona.concurrent.CachedEpochClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The consumer side alone: what applying one event to the aggregates (time tiers, recent events and cumulative
 * totals) costs the store's consumer thread, which bounds the sustained ingestion rate. Single-threaded, no ring,
 * so it is steadier than the end-to-end {@link RecordBenchmark#recordSustained} on a shared machine. Reaches the
 * writer through core's internal {@link AggregateApplyHarness}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class AggregateApplyBenchmark {
    private static final long T0 = 1_760_000_400_000L;

    private final CachedEpochClock clock = new CachedEpochClock();
    private AggregateApplyHarness harness;
    private final int[] slots = new int[4];
    private final int[] stepSlots = new int[4];
    private long timeMs = T0;
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        clock.update(T0);
        harness = new AggregateApplyHarness(new StoreConfig().clock(clock));
        final String[] models = {"gpt-4o", "claude-sonnet", "llama-3-70b", "mistral-large"};
        for (int m = 0; m < slots.length; m++) {
            slots[m] = harness.fill(new Event().model(models[m]).latencyNs(1_234_567L + m * 100_000L)
                .promptTokens(812).completionTokens(245));
            stepSlots[m] = harness.fill(new Event().model(models[m]).pipeline("rag")
                .step(m % 2 == 0 ? "retrieve" : "answer").latencyNs(1_234_567L + m * 100_000L).promptTokens(812).completionTokens(245));
        }
    }

    @Benchmark
    public void applyEvent() {
        final int n = i++;
        if ((n & 0xFFFF) == 0) {
            timeMs += 1;   // time moves on: ~65 K events per millisecond, 65 M events per simulated second
            clock.update(timeMs);   // and the store's clock with it, as when events are stamped as they happen
        }
        harness.apply(slots[n & 3], timeMs);
    }

    /**
     * As {@link #applyEvent}, but each event one second after the one before, on the store's clock: every event
     * closes the finest bucket of its model's tiers and of all models' (and every tenth a ten-second one, and so
     * on), what replaying a day of sparse events costs; the cost of closing a bucket, beside adding an event.
     */
    @Benchmark
    public void applyEventEachInANewSecond() {
        final int n = i++;
        timeMs += 1000;
        clock.update(timeMs);
        harness.apply(slots[n & 3], timeMs);
    }

    /**
     * As {@link #applyEvent}, each event naming a pipeline and one of its two steps as well as its model: what an
     * event counted in several subjects (model, pipeline, step) costs.
     */
    @Benchmark
    public void applyEventWithPipelineAndStep() {
        final int n = i++;
        if ((n & 0xFFFF) == 0) {
            timeMs += 1;
            clock.update(timeMs);
        }
        harness.apply(stepSlots[n & 3], timeMs);
    }

    /**
     * As {@link #applyEvent}, but one event in every 65,536 (one per simulated millisecond, all of one model) lies
     * 59 s ahead of the clock, as from a caller whose clock runs ahead, within the future-skew bound.
     */
    @Benchmark
    public void applyEventWithSomeAhead() {
        final int n = i++;
        if ((n & 0xFFFF) == 0) {
            timeMs += 1;
            clock.update(timeMs);
        }
        harness.apply(slots[n & 3], (n & 0xFFFF) == 1 ? timeMs + 59_000 : timeMs);
    }
}
