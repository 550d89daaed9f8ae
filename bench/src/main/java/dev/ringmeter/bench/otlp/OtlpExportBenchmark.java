package dev.ringmeter.bench.otlp;

import com.sun.net.httpserver.HttpServer;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.otlp.export.OtlpMetricsExport;
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
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cost of one OTLP export interval (docs/otlp-export.md): the window queries of every model, the HdrHistogram to
 * exponential histogram conversion, the SDK's protobuf encoding and the HTTP request, to a local endpoint that reads
 * the body and answers 200 (the JDK's HttpServer, so the receiver's own cost is not in the figure). A 10 s interval
 * of {@code models} models with 100 calls each, latencies 50 ms to 5 s. The time is the exporting thread's (the
 * OkHttp dispatcher's encoding and sending included, since the call waits for the reply).
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
        export = OtlpMetricsExport.builder(store, "http://127.0.0.1:" + endpoint.getAddress().getPort()
            + "/v1/metrics").build();
    }

    @TearDown(Level.Trial)
    public void close() {
        export.close();
        endpoint.stop(0);
        store.close();
    }

    @Benchmark
    public boolean exportInterval() {
        return export.export(FROM, NOW);
    }
}
