package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.privacy.Anonymization;
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

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What anonymization costs {@code record()} on the caller's thread: an event naming a run, a task, a configuration,
 * an error type and two tags, recorded with nothing hidden ({@code off}), with free text redacted ({@code redact})
 * and with run, task, config and a tag hashed and free text redacted ({@code hash}). The values repeat (64 runs), so
 * after warm-up every one is in the anonymizer's cache: {@code -prof gc} shows whether the path allocates.
 * Run with {@code -prof gc}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class AnonymizeRecordBenchmark {
    private static final String[] RUNS = new String[64];

    static {
        for (int i = 0; i < RUNS.length; i++) {
            RUNS[i] = "run-" + i + "-of-user@example.com";
        }
    }

    /** The store, in memory, its ring dropping when full. */
    @State(Scope.Benchmark)
    public static class Store {
        @Param({"off", "redact", "hash"})
        public String privacy;
        public EmbeddedStore store;

        @Setup(Level.Trial)
        public void open() {
            final Anonymization a = switch (privacy) {
                case "redact" -> Anonymization.parse("redact");
                case "hash" -> Anonymization.parse("hash:run,hash:task,hash:config,hash:tag.user,redact");
                default -> Anonymization.NONE;
            };
            store = EmbeddedStore.open(new StoreConfig().ringSize(65536)
                .waitStrategy(StoreConfig.WaitStrategyKind.YIELDING).anonymization(a)
                .hashKey("a benchmark key of sixteen bytes".getBytes(StandardCharsets.UTF_8)));
        }

        @TearDown(Level.Trial)
        public void close() {
            store.close();
        }
    }

    /** Per-thread reusable event. */
    @State(Scope.Thread)
    public static class Caller {
        final Event event = new Event();
        int i;
    }

    @Benchmark
    public boolean record(final Store s, final Caller c) {
        final String run = RUNS[c.i++ & 63];
        return s.store.record(c.event.reset().model("gpt-4o").latencyNs(1_234_567L).promptTokens(812)
            .completionTokens(245).run(run).task("task-7").config("temperature=0.2").status(Status.ERROR)
            .errorType("rate_limit for jane@example.com").tag("user", run).tag("region", "eu"));
    }
}
