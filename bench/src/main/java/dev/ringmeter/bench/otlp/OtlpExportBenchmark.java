package dev.ringmeter.bench.otlp;

import com.sun.net.httpserver.HttpServer;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.otlp.export.OtlpMetricsExport;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.DefaultAggregationSelector;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
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

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cost of one OTLP export interval (docs/otlp-export.md): the window queries of every model, the HdrHistogram to
 * exponential histogram conversion, the SDK's protobuf encoding and the HTTP request, to a local endpoint that reads
 * the body and answers 200 (the JDK's HttpServer, so the receiver's own cost is not in the figure). A 10 s interval
 * of {@code models} models with 100 calls each, latencies 50 ms to 5 s. The time is the exporting thread's (the
 * OkHttp dispatcher's encoding and sending included, since the call waits for the reply).
 * <p>
 * The peer, in the same run: the OpenTelemetry SDK exporting the same calls from its own instruments (exponential
 * histograms of duration and TTFT, a request counter, per model), recorded once at setup and collected and sent by
 * {@code forceFlush()} (cumulative, so every flush sends them all): what an application instrumented with the SDK
 * pays per interval for the same series, without Ringmeter's window queries and conversion.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class OtlpExportBenchmark {
    private static final long NOW = 1_760_000_400_000L;
    private static final long FROM = NOW - 10_000;

    @Param({"10", "100", "1000"})
    public int models;

    private EmbeddedStore store;
    private HttpServer endpoint;
    private OtlpMetricsExport export;
    private SdkMeterProvider meters;
    /** Bytes the endpoint received, for the per-interval payload size. */
    public final AtomicLong bytes = new AtomicLong();

    @Setup(Level.Trial)
    public void fill() throws IOException, InterruptedException {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(NOW + 5_000);
        store = EmbeddedStore.open(new StoreConfig().clock(clock).ringSize(65536)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK)
            .cardinalityLimit(Dimension.MODEL, models));
        final SplittableRandom random = new SplittableRandom(5);
        final Event e = new Event();
        for (int m = 0; m < models; m++) {
            for (int i = 0; i < 100; i++) {
                store.record(e.reset().model("model-" + m).provider("openai").operation("chat")
                    .timestampMs(FROM + random.nextLong(10_000))
                    .latencyNs((long)(50_000_000 * Math.pow(100, random.nextDouble())))
                    .ttftMs(random.nextInt(50, 500)).promptTokens(random.nextInt(100, 4000))
                    .completionTokens(random.nextInt(10, 1000)).costUsd(0.002)
                    .status(random.nextInt(100) == 0 ? Status.ERROR : Status.OK));
            }
        }
        store.flush(60, TimeUnit.SECONDS);
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/v1/metrics", x -> {
            try (InputStream in = x.getRequestBody()) {
                bytes.addAndGet(in.readAllBytes().length);
            }
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        endpoint.start();
        export = OtlpMetricsExport.builder(store, url()).build();
        setUpPeer();
    }

    private String url() {
        return "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/v1/metrics";
    }

    private void setUpPeer() {
        meters = SdkMeterProvider.builder().registerMetricReader(PeriodicMetricReader.builder(
            OtlpHttpMetricExporter.builder().setEndpoint(url()).setDefaultAggregationSelector(
                DefaultAggregationSelector.getDefault().with(InstrumentType.HISTOGRAM,
                    Aggregation.base2ExponentialBucketHistogram())).build())
            .setInterval(Duration.ofHours(1)).build()).build();
        final DoubleHistogram duration = meters.get("peer").histogramBuilder("gen_ai.client.operation.duration")
            .setUnit("s").build();
        final DoubleHistogram ttft = meters.get("peer").histogramBuilder("gen_ai.server.time_to_first_token")
            .setUnit("s").build();
        final LongCounter requests = meters.get("peer").counterBuilder("ringmeter.requests").build();
        final SplittableRandom random = new SplittableRandom(5);
        for (int m = 0; m < models; m++) {
            final Attributes a = Attributes.of(AttributeKey.stringKey("gen_ai.request.model"), "model-" + m,
                AttributeKey.stringKey("gen_ai.provider.name"), "openai");
            for (int i = 0; i < 100; i++) {
                duration.record(0.05 * Math.pow(100, random.nextDouble()), a);
                ttft.record(random.nextInt(50, 500) / 1000.0, a);
                requests.add(1, a);
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        meters.shutdown().join(10, TimeUnit.SECONDS);
        export.close();
        endpoint.stop(0);
        store.close();
    }

    @Benchmark
    public boolean exportInterval() {
        return export.export(FROM, NOW);
    }

    @Benchmark
    public boolean peerSdkExportInterval() {
        return meters.forceFlush().join(10, TimeUnit.SECONDS).isSuccess();
    }
}
