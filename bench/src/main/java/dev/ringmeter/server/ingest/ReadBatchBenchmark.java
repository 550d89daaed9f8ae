package dev.ringmeter.server.ingest;

import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.ingest.EventRules;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Reading one NDJSON batch of 1,000 events (the HTTP load generator's: 10 models, latency, TTFT, tokens, status,
 * pipeline, step; 1 % errors) into a reused batch, checked by the store's rules, nothing recorded: the full parser
 * ({@link BatchReader}, Jackson) beside the byte reader ({@link NdjsonEventReader}) in the same run. One operation is
 * one batch, so events/s is 1,000 x ops/s. In this package because both readers are the server's own, not its API.
 * <p>
 * Run: {@code java -jar bench/target/benchmarks.jar ReadBatchBenchmark -f 1 -wi 3 -i 5 -prof gc}.
 * <p>
 * Threading: one JMH thread per state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReadBatchBenchmark {
    private static final int EVENTS = 1_000;

    private final EventReader events = new EventReader(new EventRules(new StoreConfig()));
    private final IngestBatch batch = new IngestBatch();
    private byte[] body;

    @Setup
    public void setUp() {
        final SplittableRandom random = new SplittableRandom(2);
        final StringBuilder b = new StringBuilder(EVENTS * 200);
        for (int i = 0; i < EVENTS; i++) {   // as bench.http.EventBodies writes them
            final boolean failed = random.nextInt(100) == 0;
            b.append("{\"model\":\"model-").append(i % 10).append("\",\"operation\":\"chat\",\"latencyMs\":")
                .append(random.nextInt(50, 5_000)).append('.').append(random.nextInt(10))
                .append(",\"ttftMs\":").append(random.nextInt(20, 800))
                .append(",\"promptTokens\":").append(random.nextInt(100, 4_000))
                .append(",\"completionTokens\":").append(random.nextInt(10, 1_000))
                .append(",\"status\":\"").append(failed ? "error" : "ok").append('"');
            if (failed) {
                b.append(",\"errorType\":\"rate_limit\"");
            }
            b.append(",\"pipeline\":\"support-bot\",\"step\":\"answer\"}\n");
        }
        body = b.toString().getBytes(StandardCharsets.UTF_8);
        if (NdjsonEventReader.read(body, 0, body.length, EVENTS, batch, events) != EVENTS) {
            throw new IllegalStateException("the byte reader does not take the benchmark's body");
        }
    }

    /** @return events read: Jackson's streaming parser over the body, as before. */
    @Benchmark
    public int fullParser() throws IOException {
        return BatchReader.read(new ByteArrayInputStream(body), true, EVENTS, batch, events);
    }

    /** @return events read: straight from the bytes. */
    @Benchmark
    public int byteReader() {
        return NdjsonEventReader.read(body, 0, body.length, EVENTS, batch, events);
    }
}
