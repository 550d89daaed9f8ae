package dev.ringmeter.bench.peers;

import com.codahale.metrics.ExponentiallyDecayingReservoir;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.SlidingTimeWindowArrayReservoir;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import com.lmax.disruptor.util.DaemonThreadFactory;
import dev.ringmeter.Event;
import dev.ringmeter.bench.core.RecordBenchmark;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.HdrHistogram.Recorder;
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

import java.util.Arrays;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * Recording one model call (latency 1,234,567 ns, model "gpt-4o") in Ringmeter's embedded store beside the
 * libraries a user would otherwise pick, each used the way its documentation recommends for a hot path: the
 * instrument (and, where there is one, the labelled child or the {@code Attributes}) is built once and cached, so
 * every benchmark measures only the record call.
 * <p>
 * What each side does with the value differs and is part of the comparison: HdrHistogram, Micrometer and the
 * Prometheus client update a histogram on the caller's thread; Dropwizard's reservoirs keep samples (the sliding
 * window keeps every sample of its window, so its memory grows with the rate); OpenTelemetry aggregates into the
 * cumulative storage of the attribute set; Ringmeter copies the event into a ring slot and its consumer thread
 * folds it into per-model time buckets (the part the {@code ringmeterRecordSustained} throughput includes).
 * <p>
 * Run with {@code -t 1} and {@code -t 2}, and {@code -prof gc} for the allocation per call.
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class RecordPeersBenchmark {
    /** The latency every benchmark records. */
    static final long LATENCY_NS = 1_234_567L;
    static final double LATENCY_SECONDS = LATENCY_NS / 1e9;
    static final String MODEL = "gpt-4o";
    /** Window of the Dropwizard sliding reservoir; it keeps every sample of the window (see the class comment). */
    static final long SLIDING_WINDOW_SECONDS = 5;
    /** The bucket boundaries, in seconds, the OpenTelemetry GenAI conventions advise for gen_ai.client.operation.duration. */
    static final double[] GENAI_DURATION_BOUNDS_SECONDS = {
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92};

    /** HdrHistogram's thread-safe interval recorder, 3 significant digits, up to one hour. */
    @State(Scope.Benchmark)
    public static class Hdr {
        final Recorder recorder = new Recorder(TimeUnit.HOURS.toNanos(1), 3);
    }

    @State(Scope.Benchmark)
    public static class MicrometerSimple {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Timer timer;

        @Setup(Level.Trial)
        public void setUp() {
            timer = Timer.builder("gen_ai.client.operation.duration").tag("gen_ai.request.model", MODEL)
                .register(registry);
        }
    }

    /** A Micrometer Timer in the Prometheus registry publishing a percentile histogram (classic buckets). */
    @State(Scope.Benchmark)
    public static class MicrometerPrometheus {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Timer timer;

        @Setup(Level.Trial)
        public void setUp() {
            timer = Timer.builder("gen_ai.client.operation.duration").tag("gen_ai.request.model", MODEL)
                .publishPercentileHistogram().register(registry);
        }

        @TearDown(Level.Trial)
        public void check() {
            if (!registry.scrape().contains("gen_ai_client_operation_duration_seconds_bucket")) {
                throw new IllegalStateException("the Prometheus registry did not publish the histogram");
            }
            registry.close();
        }
    }

    @State(Scope.Benchmark)
    public static class DropwizardSliding {
        Histogram histogram;

        @Setup(Level.Trial)
        public void setUp() {
            histogram = new Histogram(new SlidingTimeWindowArrayReservoir(SLIDING_WINDOW_SECONDS, TimeUnit.SECONDS));
        }
    }

    /** The reservoir {@code MetricRegistry.histogram(name)} gives by default. */
    @State(Scope.Benchmark)
    public static class DropwizardDecaying {
        final Histogram histogram = new Histogram(new ExponentiallyDecayingReservoir());
    }

    /** An SDK meter provider with a periodic reader (once a minute, to an exporter that discards). */
    @State(Scope.Benchmark)
    public static class OpenTelemetry {
        SdkMeterProvider provider;
        LongHistogram longHistogram;
        DoubleHistogram doubleHistogram;
        Attributes attributes;

        @Setup(Level.Trial)
        public void setUp() {
            provider = SdkMeterProvider.builder()
                .registerMetricReader(PeriodicMetricReader.builder(new DiscardingExporter())
                    .setInterval(60, TimeUnit.SECONDS).build())
                .build();
            final Meter meter = provider.get("dev.ringmeter.bench");
            longHistogram = meter.histogramBuilder("gen_ai.client.operation.duration.ns").setUnit("ns").ofLongs()
                .build();
            doubleHistogram = meter.histogramBuilder("gen_ai.client.operation.duration").setUnit("s")
                .setExplicitBucketBoundariesAdvice(Arrays.stream(GENAI_DURATION_BOUNDS_SECONDS).boxed().toList())
                .build();
            attributes = Attributes.of(AttributeKey.stringKey("gen_ai.request.model"), MODEL);
        }

        @TearDown(Level.Trial)
        public void close() {
            provider.close();
        }
    }

    /** The Prometheus Java client 1.x histogram (classic and native buckets, its default), child cached. */
    @State(Scope.Benchmark)
    public static class PrometheusClient {
        DistributionDataPoint child;

        @Setup(Level.Trial)
        public void setUp() {
            final io.prometheus.metrics.core.metrics.Histogram histogram =
                io.prometheus.metrics.core.metrics.Histogram.builder()
                    .name("gen_ai_client_operation_duration_seconds").unit(
                        io.prometheus.metrics.model.snapshots.Unit.SECONDS)
                    .labelNames("gen_ai_request_model")
                    .register(new PrometheusRegistry());
            child = histogram.labelValues(MODEL);
        }
    }

    /** Per-thread reusable event and the count of calls the full ring refused (reported as {@code dropped}). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class RingmeterCaller {
        final Event event = new Event();
        public long dropped;
    }

    @Benchmark
    public void hdrRecorderRecordValue(final Hdr h) {
        h.recorder.recordValue(LATENCY_NS);
    }

    @Benchmark
    public void micrometerTimerRecord(final MicrometerSimple m) {
        m.timer.record(LATENCY_NS, TimeUnit.NANOSECONDS);
    }

    @Benchmark
    public void micrometerPrometheusTimerRecord(final MicrometerPrometheus m) {
        m.timer.record(LATENCY_NS, TimeUnit.NANOSECONDS);
    }

    @Benchmark
    public void dropwizardSlidingTimeWindowUpdate(final DropwizardSliding d) {
        d.histogram.update(LATENCY_NS);
    }

    @Benchmark
    public void dropwizardExpDecayingUpdate(final DropwizardDecaying d) {
        d.histogram.update(LATENCY_NS);
    }

    @Benchmark
    public void otelLongHistogramRecord(final OpenTelemetry o) {
        o.longHistogram.record(LATENCY_NS, o.attributes);
    }

    @Benchmark
    public void otelDoubleHistogramRecord(final OpenTelemetry o) {
        o.doubleHistogram.record(LATENCY_SECONDS, o.attributes);
    }

    @Benchmark
    public void prometheusHistogramObserve(final PrometheusClient p) {
        p.child.observe(LATENCY_SECONDS);
    }

    @Benchmark
    public boolean ringmeterRecord(final RecordBenchmark.DropStore s, final RingmeterCaller c) {
        final boolean accepted = s.store.record(c.event.reset().model(MODEL).latencyNs(LATENCY_NS));
        if (!accepted) {
            c.dropped++;
        }
        return accepted;
    }

    @Benchmark
    public boolean ringmeterRecordSustained(final RecordBenchmark.BlockStore s, final RingmeterCaller c) {
        return s.store.record(c.event.reset().model(MODEL).latencyNs(LATENCY_NS));
    }

    /**
     * A bare Disruptor ring (no Ringmeter code) of slots of {@code longs} longs, as the store's: multi-producer,
     * 65,536 slots, a yielding consumer that reads every long of each slot, the producer waiting when the ring is
     * full. Its rate is the physical limit of a sustained cross-core hand-off of a slot of that size here.
     */
    abstract static class Handoff {
        Disruptor<long[]> disruptor;
        RingBuffer<long[]> ring;
        long sum;

        abstract int longs();

        @Setup(Level.Trial)
        public void start() {
            final int n = longs();
            disruptor = new Disruptor<>(() -> new long[n], 65536, DaemonThreadFactory.INSTANCE, ProducerType.MULTI,
                new YieldingWaitStrategy());
            final EventHandler<long[]> reader = (slot, sequence, endOfBatch) -> {
                long s = 0;
                for (final long v : slot) {
                    s += v;
                }
                sum += s;
            };
            disruptor.handleEventsWith(reader);
            ring = disruptor.start();
        }

        @TearDown(Level.Trial)
        public void stop() {
            disruptor.halt();
        }

        void handOff(final long value) {
            final long sequence = ring.next();
            final long[] slot = ring.get(sequence);
            for (int i = 0; i < slot.length; i++) {
                slot[i] = value + i;
            }
            ring.publish(sequence);
        }
    }

    /** Slots of 6 longs: 16 bytes of header and 48 of data, one cache line's worth (not aligned to one). */
    @State(Scope.Benchmark)
    public static class HandoffOneLine extends Handoff {
        @Override
        int longs() {
            return 6;
        }
    }

    /** Slots of 32 longs: 272 bytes, the size of the store's slot before issue 18, all of it written. */
    @State(Scope.Benchmark)
    public static class HandoffSlotBefore extends Handoff {
        @Override
        int longs() {
            return 32;
        }
    }

    @Benchmark
    public void handoffOneLine(final HandoffOneLine h) {
        h.handOff(LATENCY_NS);
    }

    @Benchmark
    public void handoffSlotBefore(final HandoffSlotBefore h) {
        h.handOff(LATENCY_NS);
    }

    /** An exporter that drops what it is given: the periodic reader's work stays off the measured threads. */
    static final class DiscardingExporter implements MetricExporter {
        @Override
        public AggregationTemporality getAggregationTemporality(final InstrumentType instrumentType) {
            return AggregationTemporality.CUMULATIVE;
        }

        @Override
        public CompletableResultCode export(final Collection<MetricData> metrics) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
