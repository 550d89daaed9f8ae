package dev.ringmeter.bench.core;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import com.lmax.disruptor.util.DaemonThreadFactory;
import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The cost of recording one model call, on the caller's thread and sustained, beside the baselines a user would
 * compare with: a cached Micrometer {@code Timer.record} and a raw Disruptor publish of one long.
 * <p>
 * {@code record*} benchmarks use the store's defaults but for the consumer's wait strategy; {@code recordSustained}
 * uses the BLOCK policy so its throughput is what is recorded AND aggregated, nothing dropped.
 * Run with {@code -t 1} and {@code -t 2}, and {@code -prof gc} for the allocation per operation.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RecordBenchmark {
    private static final String[] MODELS = {"gpt-4o", "claude-sonnet", "llama-3-70b", "mistral-large"};

    /** A store whose ring drops when full: what a latency-sensitive caller runs with (also used by the peers). */
    @State(Scope.Benchmark)
    public static class DropStore {
        public EmbeddedStore store;

        @Setup(Level.Trial)
        public void open() {
            store = EmbeddedStore.open(new StoreConfig().ringSize(65536)
                .waitStrategy(StoreConfig.WaitStrategyKind.YIELDING)
                .cardinalityLimit(Dimension.MODEL, MODELS.length));   // the cost measured, not the heap budget
        }

        @TearDown(Level.Trial)
        public void close() {
            store.close();
        }
    }

    /** A store whose ring blocks when full: throughput is then what the store sustains end to end. */
    @State(Scope.Benchmark)
    public static class BlockStore {
        public EmbeddedStore store;

        @Setup(Level.Trial)
        public void open() {
            store = EmbeddedStore.open(new StoreConfig().ringSize(65536)
                .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK)
                .waitStrategy(StoreConfig.WaitStrategyKind.YIELDING)
                .cardinalityLimit(Dimension.MODEL, MODELS.length));
        }

        @TearDown(Level.Iteration)
        public void drain() throws InterruptedException {
            store.flush(30, TimeUnit.SECONDS);
        }

        @TearDown(Level.Trial)
        public void close() {
            store.close();
        }
    }

    /** Per-thread reusable event and a counter of calls the full ring refused. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Caller {
        final Event event = new Event();
        int i;
        public long dropped;

        String nextModel() {
            return MODELS[i++ & 3];
        }
    }

    @State(Scope.Benchmark)
    public static class MicrometerTimer {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Timer timer;

        @Setup(Level.Trial)
        public void setUp() {
            timer = Timer.builder("llm.call").tag("model", "gpt-4o").register(registry);
        }
    }

    /** A bare Disruptor ring of longs with a busy consumer that does nothing. */
    @State(Scope.Benchmark)
    public static class RawDisruptor {
        Disruptor<long[]> disruptor;
        RingBuffer<long[]> ring;

        @Setup(Level.Trial)
        public void start() {
            disruptor = new Disruptor<>(() -> new long[1], 65536, DaemonThreadFactory.INSTANCE, ProducerType.MULTI,
                new BusySpinWaitStrategy());
            final EventHandler<long[]> noop = (slot, sequence, endOfBatch) -> { };
            disruptor.handleEventsWith(noop);
            ring = disruptor.start();
        }

        @TearDown(Level.Trial)
        public void stop() {
            disruptor.halt();
        }
    }

    @Benchmark
    public boolean record(final DropStore s, final Caller c) {
        final boolean accepted = s.store.record(c.event.reset().model(c.nextModel()).latencyNs(1_234_567L)
            .promptTokens(812).completionTokens(245));
        if (!accepted) {
            c.dropped++;
        }
        return accepted;
    }

    /**
     * Recording paced by about half a microsecond of other work, so the consumer keeps up and the ring has room:
     * the caller-side cost of {@code record()} is this minus {@link #paceOnly}. The dropped counter shows the ring
     * never filled.
     */
    @Benchmark
    public boolean recordPaced(final DropStore s, final Caller c) {
        Blackhole.consumeCPU(PACE_TOKENS);
        return record(s, c);
    }

    @Benchmark
    public void paceOnly() {
        Blackhole.consumeCPU(PACE_TOKENS);
    }

    private static final long PACE_TOKENS = 100;

    @Benchmark
    public boolean recordSustained(final BlockStore s, final Caller c) {
        return s.store.record(c.event.reset().model(c.nextModel()).latencyNs(1_234_567L)
            .promptTokens(812).completionTokens(245));
    }

    @Benchmark
    public void micrometerTimerRecord(final MicrometerTimer m) {
        m.timer.record(1_234_567L, TimeUnit.NANOSECONDS);
    }

    @Benchmark
    public boolean rawDisruptorPublish(final RawDisruptor d, final Caller c) {
        try {
            final long sequence = d.ring.tryNext();
            d.ring.get(sequence)[0] = 1_234_567L;
            d.ring.publish(sequence);
            return true;
        } catch (final InsufficientCapacityException e) {
            c.dropped++;
            return false;
        }
    }
}
