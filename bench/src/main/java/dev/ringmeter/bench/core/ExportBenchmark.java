package dev.ringmeter.bench.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.export.ExportColumns;
import dev.ringmeter.core.export.ExportFormat;
import dev.ringmeter.core.export.ExportRequest;
import dev.ringmeter.core.export.ExportSummary;
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
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An export of N events from a durable store ({@code store.export}: the journal read, each event decoded with its
 * names and written as a row) beside the baseline, a plain Jackson writer (JSON or CSV, the same columns) writing the
 * same rows from memory (values ready, nothing read). Rows per second: N divided by the time per call; the ratio
 * of the two is what the journal read and the decoding cost. Output to a null stream.
 * <p>
 * Run: {@code java $OPTS -Xmx2g -jar bench/target/benchmarks.jar ExportBenchmark -f 1}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
@State(Scope.Benchmark)
public class ExportBenchmark {
    private static final long T0 = 1_760_000_400_000L;
    private static final JsonFactory JSON = new JsonFactory();
    private static final CsvFactory CSV = new CsvFactory();

    @Param({"200000"})
    public int events;

    @Param({"ndjson", "csv"})
    public String format;

    private Path dir;
    private EmbeddedStore store;
    private Object[][] rows;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("export-bench");
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0 + events);
        store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK));
        rows = new Object[events][];
        final Event e = new Event();
        for (int i = 0; i < events; i++) {
            e.reset().timestampMs(T0 + i).model("gpt-bench-" + i % 4).provider("acme").operation("chat")
                .pipeline("rag").step(i % 2 == 0 ? "retrieve" : "generate").run("run-" + i % 50)
                .task("task-" + i % 1_000).config("prompt-v" + i % 3).latencyNs(1_000_000L + i * 17L)
                .ttftNs(300_000L + i).promptTokens(100 + i % 900).completionTokens(20 + i % 200).retries(i % 2)
                .costUsd(i * 1e-6).tag("env", i % 2 == 0 ? "prod" : "dev").quality("accuracy", (i % 10) / 10.0);
            if (i % 20 == 0) {
                e.status(Status.ERROR).errorType("rate_limit");
            }
            if (!store.record(e)) {
                throw new IllegalStateException("not recorded");
            }
            rows[i] = new Object[] {T0 + i, "gpt-bench-" + i % 4, "acme", "chat", "rag",
                i % 2 == 0 ? "retrieve" : "generate", null, null, "run-" + i % 50, "task-" + i % 1_000,
                "prompt-v" + i % 3, i % 20 == 0 ? "error" : "ok", i % 20 == 0 ? "rate_limit" : null, (long)(i % 2),
                null, (1_000_000L + i * 17L) / 1e6, (300_000L + i) / 1e6, null, (long)(100 + i % 900),
                (long)(20 + i % 200), null, null, null, i * 1e-6, null, null,
                Map.of("accuracy", (i % 10) / 10.0), Map.of("env", i % 2 == 0 ? "prod" : "dev")};
        }
        if (!store.flush(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not flushed");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public long export() throws IOException {
        final ExportSummary s = store.export(new ExportRequest(T0, T0 + events).format(ExportFormat.of(format)),
            OutputStream.nullOutputStream());
        if (s.rows() != events) {
            throw new IllegalStateException(s.rows() + " rows of " + events);
        }
        return s.rows();
    }

    @Benchmark
    public long plainWriterFromMemory() throws IOException {
        final OutputStream out = OutputStream.nullOutputStream();
        final boolean csv = format.equals("csv");
        final JsonGenerator g;
        if (csv) {
            final CsvSchema.Builder schema = CsvSchema.builder();
            ExportColumns.NAMES.forEach(schema::addColumn);
            final CsvGenerator c = CSV.createGenerator(out);
            c.setSchema(schema.setUseHeader(true).build());
            g = c;
        } else {
            g = JSON.createGenerator(out);
            g.setRootValueSeparator(new SerializedString("\n"));
        }
        final StringBuilder text = new StringBuilder();
        for (final Object[] row : rows) {
            g.writeStartObject();
            for (int c = 0; c < row.length; c++) {
                g.writeFieldName(ExportColumns.NAMES.get(c));
                final Object v = row[c];
                if (v == null) {
                    g.writeNull();
                } else if (v instanceof String s) {
                    g.writeString(s);
                } else if (v instanceof Long l) {
                    g.writeNumber(l);
                } else if (v instanceof Double d) {
                    g.writeNumber(d);
                } else if (csv) {
                    text.setLength(0);
                    text.append('{');
                    for (final Map.Entry<?, ?> e : ((Map<?, ?>)v).entrySet()) {
                        text.append('"').append(e.getKey()).append("\":").append(e.getValue() instanceof String
                            ? "\"" + e.getValue() + "\"" : e.getValue());
                    }
                    g.writeString(text.append('}').toString());
                } else {
                    g.writeStartObject();
                    for (final Map.Entry<?, ?> e : ((Map<?, ?>)v).entrySet()) {
                        g.writeFieldName((String)e.getKey());
                        if (e.getValue() instanceof String s) {
                            g.writeString(s);
                        } else {
                            g.writeNumber((Double)e.getValue());
                        }
                    }
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
        }
        g.close();
        return rows.length;
    }
}
