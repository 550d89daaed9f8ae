package dev.ringmeter.bench.peers;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.query.WindowStats;
import io.questdb.ServerMain;
import io.questdb.cairo.CairoEngine;
import io.questdb.cairo.TableToken;
import io.questdb.cairo.TableWriter;
import io.questdb.cairo.security.AllowAllSecurityContext;
import io.questdb.cairo.sql.Record;
import io.questdb.cairo.sql.RecordCursor;
import io.questdb.cairo.sql.RecordCursorFactory;
import io.questdb.cairo.wal.WalWriter;
import io.questdb.griffin.SqlExecutionContextImpl;
import io.questdb.griffin.engine.functions.bind.BindVariableServiceImpl;
import org.agrona.concurrent.CachedEpochClock;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Ringmeter's in-memory embedded store beside embedded QuestDB 9.2.0 on the same data, in one process and one run:
 * ingest N model calls (10 models, spread over the last hour) as fast as one thread can, then answer "P95 latency
 * and tokens/s per model over the last 5 minutes" {@code reps} times on each and report the median and P99.
 * <p>
 * No side fsyncs: Ringmeter runs once in memory only (no data directory) and once with its Chronicle Queue journal
 * without msync ({@code journalSync=false}, the default); QuestDB runs with {@code cairo.commit.mode=nosync} (its
 * default), so its WAL and table files reach the page cache, not the disk. QuestDB applies the WAL to a columnar
 * table that answers any SQL over the raw rows; Ringmeter folds events into per-model buckets of histograms and
 * counters, which answer the windowed analytics only (its journal keeps the raw events for scans). That is the
 * trade being measured. The query is timed on the in-memory Ringmeter store; the journal does not change it.
 * <p>
 * Usage: {@code java <ringmeter.jvm.options> -Xmx2g -cp bench/target/benchmarks.jar
 * dev.ringmeter.bench.peers.QuestDbComparison [events,...] [reps] [dir]}; defaults 1000000,10000000 200 a fresh
 * temporary directory, deleted at the end.
 */
public final class QuestDbComparison {
    /** "Now" for both sides, fixed so both answer over exactly the same rows. */
    static final long NOW_MS = 1_760_000_400_000L + 3_600_000L;
    static final long SPAN_MS = 3_600_000L;
    static final long WINDOW_MS = 300_000L;
    static final int MODEL_COUNT = 10;
    static final int COMMIT_EVERY_ROWS = 100_000;
    static final int WARMUP_REPS = 50;
    static final String TABLE = "llm_calls";

    private static final String[] MODELS = new String[MODEL_COUNT];
    private static final String[] STATUS_SYMBOLS = {"ok", "error"};

    static {
        for (int i = 0; i < MODEL_COUNT; i++) {
            MODELS[i] = "model-" + i;
        }
    }

    private final PrintStream out;

    private QuestDbComparison(final PrintStream out) {
        this.out = out;
    }

    public static void main(final String[] args) throws Exception {
        final int[] sizes = Arrays.stream((args.length > 0 ? args[0] : "1000000,10000000").split(","))
            .mapToInt(s -> Integer.parseInt(s.trim().replace("_", ""))).toArray();
        final int reps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        final Path root = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("ringmeter-questdb-");
        new QuestDbComparison(System.out).run(sizes, reps, root);
        if (args.length <= 2) {
            deleteRecursively(root);
        }
    }

    private void run(final int[] sizes, final int reps, final Path root) throws Exception {
        // QuestDB's log to errors only, so the report stays readable; LogFactory reads the file named by -Dout once.
        final Path logConf = root.resolve("questdb-log.conf");
        Files.writeString(logConf,
            "writers=stdout\nw.stdout.class=io.questdb.log.LogConsoleWriter\nw.stdout.level=ERROR,CRITICAL\n");
        System.setProperty("out", logConf.toString());
        // Warm-up: the whole comparison once at the smallest size, not reported, so neither side's numbers carry
        // the JIT compilation of its first run.
        final Path warmup = root.resolve("warmup");
        Files.createDirectories(warmup);
        new QuestDbComparison(new PrintStream(java.io.OutputStream.nullOutputStream()))
            .compare(Math.min(sizes[0], 1_000_000), Math.min(reps, 50), warmup);
        deleteRecursively(warmup);
        out.printf(Locale.ROOT, "# Ringmeter in-memory EmbeddedStore vs embedded QuestDB 9.2.0%n");
        out.printf(Locale.ROOT, "# %d cores, %s, heap max %d MB; %d models; events spread over the last hour%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"),
            Runtime.getRuntime().maxMemory() >> 20, MODEL_COUNT);
        out.printf(Locale.ROOT, "# fsync: none on any side. Ringmeter memory: nothing written; Ringmeter journal:"
            + " Chronicle Queue, journalSync=false (no msync); QuestDB: cairo.commit.mode=nosync"
            + " (WAL and table files in the page cache)%n");
        out.printf(Locale.ROOT, "# query: P95 latency and tokens/s per model over the last 5 minutes, %d reps after"
            + " %d warm-up; the whole comparison ran once before (not reported) to warm the JIT up%n",
            reps, WARMUP_REPS);
        for (final int events : sizes) {
            final Path dir = root.resolve("qdb-" + events);
            Files.createDirectories(dir);
            compare(events, reps, dir);
        }
    }

    private void compare(final int events, final int reps, final Path dir) throws Exception {
        out.printf(Locale.ROOT, "%n## %,d events%n", events);

        // Ringmeter, BLOCK policy so nothing is dropped; the end-to-end time waits until every event is applied.
        final WindowStats[] ringmeterStats = new WindowStats[MODEL_COUNT];
        for (int m = 0; m < MODEL_COUNT; m++) {
            ringmeterStats[m] = new WindowStats();
        }
        final double[] ringmeterQuery = new double[reps];
        final double[] ringmeterRates = ingestRingmeter(events, null, ringmeterStats, ringmeterQuery);
        final double ringmeterAcceptedPerS = ringmeterRates[0];
        final double ringmeterAppliedPerS = ringmeterRates[1];
        // The same with the Chronicle Queue journal (no msync): files written like QuestDB's, to the page cache.
        final double[] journaledRates = ingestRingmeter(events, dir.resolve("ringmeter"), null, null);

        // QuestDB: WAL writer on this thread, a commit every 100k rows, then wait until the WAL is applied.
        final Map<String, String> env = new HashMap<>();
        env.put("QDB_HTTP_ENABLED", "false");
        env.put("QDB_HTTP_MIN_ENABLED", "false");
        env.put("QDB_PG_ENABLED", "false");
        env.put("QDB_LINE_TCP_ENABLED", "false");
        env.put("QDB_LINE_UDP_ENABLED", "false");
        env.put("QDB_TELEMETRY_ENABLED", "false");
        env.put("QDB_CAIRO_COMMIT_MODE", "nosync");
        final double questAcceptedPerS;
        final double questAppliedPerS;
        final double[] questQuery;
        final double[] questCompileQuery;
        final String[] questRows;
        try (ServerMain server = ServerMain.create(dir.toString(), env)) {
            server.start();
            final CairoEngine engine = server.getEngine();
            try (SqlExecutionContextImpl ctx = new SqlExecutionContextImpl(engine, 1)
                .with(AllowAllSecurityContext.INSTANCE, new BindVariableServiceImpl(engine.getConfiguration()))) {
                engine.execute("CREATE TABLE " + TABLE + " (ts TIMESTAMP, model SYMBOL CAPACITY 256 CACHE,"
                    + " latency_ms DOUBLE, prompt_tokens INT, completion_tokens INT, status SYMBOL CAPACITY 8 CACHE)"
                    + " TIMESTAMP(ts) PARTITION BY DAY WAL", ctx);
                final TableToken token = engine.verifyTableName(TABLE);
                final SplittableRandom random = new SplittableRandom(7);
                final long start = System.nanoTime();
                try (WalWriter writer = engine.getWalWriter(token)) {
                    for (int i = 0; i < events; i++) {
                        final long tsMs = NOW_MS - SPAN_MS + (long)i * SPAN_MS / events;
                        final long latencyNs = random.nextLong(50_000_000L, 5_000_000_000L);
                        final int promptTokens = random.nextInt(100, 4000);
                        final int completionTokens = random.nextInt(10, 1000);
                        final boolean error = random.nextInt(100) == 0;
                        final TableWriter.Row row = writer.newRow(tsMs * 1000L);
                        row.putSym(1, MODELS[i % MODEL_COUNT]);
                        row.putDouble(2, latencyNs / 1e6);
                        row.putInt(3, promptTokens);
                        row.putInt(4, completionTokens);
                        row.putSym(5, STATUS_SYMBOLS[error ? 1 : 0]);
                        row.append();
                        if ((i + 1) % COMMIT_EVERY_ROWS == 0) {
                            writer.commit();
                        }
                    }
                    writer.commit();
                }
                final long accepted = System.nanoTime();
                engine.awaitTable(TABLE, 10, TimeUnit.MINUTES);
                final long applied = System.nanoTime();
                questAcceptedPerS = events * 1e9 / (accepted - start);
                questAppliedPerS = events * 1e9 / (applied - start);

                final String sql = "SELECT model, approx_percentile(latency_ms, 0.95, 3) p95_ms,"
                    + " sum(prompt_tokens + completion_tokens) / " + (WINDOW_MS / 1000) + ".0 tokens_per_s, count() n"
                    + " FROM " + TABLE + " WHERE ts >= '" + Instant.ofEpochMilli(NOW_MS - WINDOW_MS)
                    + "' AND ts < '" + Instant.ofEpochMilli(NOW_MS) + "' ORDER BY model";
                out.printf(Locale.ROOT, "QuestDB SQL: %s%n", sql);
                questRows = new String[MODEL_COUNT];
                questQuery = timeQuestQuery(engine, ctx, sql, reps, false, questRows);
                questCompileQuery = timeQuestQuery(engine, ctx, sql, reps, true, null);
            }
        }

        out.printf(Locale.ROOT, "%nIngest (one producer thread)%n");
        out.printf(Locale.ROOT, "%-40s %16s %20s%n", "", "accepted ev/s", "queryable ev/s");
        out.printf(Locale.ROOT, "%-40s %,16.0f %,20.0f%n", "Ringmeter EmbeddedStore (BLOCK, memory)",
            ringmeterAcceptedPerS, ringmeterAppliedPerS);
        out.printf(Locale.ROOT, "%-40s %,16.0f %,20.0f%n", "Ringmeter EmbeddedStore (BLOCK, journal)",
            journaledRates[0], journaledRates[1]);
        out.printf(Locale.ROOT, "%-40s %,16.0f %,20.0f%n", "QuestDB WalWriter (commit/100k, nosync)",
            questAcceptedPerS, questAppliedPerS);
        out.printf(Locale.ROOT, "ratio Ringmeter/QuestDB: accepted %.2fx, queryable %.2fx%n",
            ringmeterAcceptedPerS / questAcceptedPerS, ringmeterAppliedPerS / questAppliedPerS);
        out.printf(Locale.ROOT, "ratio Ringmeter journaled/QuestDB: accepted %.2fx, queryable %.2fx%n",
            journaledRates[0] / questAcceptedPerS, journaledRates[1] / questAppliedPerS);

        out.printf(Locale.ROOT, "%nQuery: P95 latency + tokens/s for all %d models, last 5 minutes%n", MODEL_COUNT);
        out.printf(Locale.ROOT, "%-48s %12s %12s%n", "", "median us", "p99 us");
        printQuery("Ringmeter aggregates().window() x10 models", ringmeterQuery);
        printQuery("QuestDB SQL, factory compiled once", questQuery);
        printQuery("QuestDB SQL, compiled per query", questCompileQuery);
        out.printf(Locale.ROOT, "ratio QuestDB/Ringmeter median: %.0fx (factory reused), %.0fx (compiled per query)%n",
            median(questQuery) / median(ringmeterQuery), median(questCompileQuery) / median(ringmeterQuery));

        out.printf(Locale.ROOT, "%nAnswers side by side (same rows; Ringmeter covers whole buckets, "
            + "QuestDB's approx_percentile has 3 digits)%n");
        out.printf(Locale.ROOT, "%-9s | %9s %10s %12s | %s%n", "model", "count", "p95 ms", "tokens/s",
            "QuestDB: model, count, p95 ms, tokens/s");
        for (int m = 0; m < MODEL_COUNT; m++) {
            final WindowStats s = ringmeterStats[m];
            out.printf(Locale.ROOT, "%-9s | %9d %10.1f %12.1f | %s%n", MODELS[m], s.count(), s.latencyMs(95),
                s.tokensPerSecond(), questRows[m]);
        }
    }

    /**
     * Ingests {@code events} events into a fresh store, in memory or journaled under {@code dataDirectory}.
     *
     * @param stats          where to leave the answers of the timed query, or null to skip the query.
     * @param queryMicros    where to put the query times, or null.
     * @return events/s accepted by {@code record()} and events/s until {@code flush()} says all are applied.
     */
    private static double[] ingestRingmeter(final int events, final Path dataDirectory, final WindowStats[] stats,
        final double[] queryMicros) throws InterruptedException {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(NOW_MS);
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().clock(clock).ringSize(65536)
            .dataDirectory(dataDirectory)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).waitStrategy(StoreConfig.WaitStrategyKind.YIELDING))) {
            final Event event = new Event();
            final SplittableRandom random = new SplittableRandom(7);
            final long start = System.nanoTime();
            for (int i = 0; i < events; i++) {
                final long tsMs = NOW_MS - SPAN_MS + (long)i * SPAN_MS / events;
                final long latencyNs = random.nextLong(50_000_000L, 5_000_000_000L);
                final int promptTokens = random.nextInt(100, 4000);
                final int completionTokens = random.nextInt(10, 1000);
                final boolean error = random.nextInt(100) == 0;
                store.record(event.reset().model(MODELS[i % MODEL_COUNT]).timestampMs(tsMs).latencyNs(latencyNs)
                    .promptTokens(promptTokens).completionTokens(completionTokens)
                    .status(error ? Status.ERROR : Status.OK));
            }
            final long accepted = System.nanoTime();
            if (!store.flush(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("Ringmeter did not apply every event within 5 minutes");
            }
            final long applied = System.nanoTime();
            if (stats != null) {
                System.arraycopy(timeRingmeterQuery(store, stats, queryMicros.length), 0, queryMicros, 0,
                    queryMicros.length);
            }
            return new double[] {events * 1e9 / (accepted - start), events * 1e9 / (applied - start)};
        }
    }

    private static double[] timeRingmeterQuery(final EmbeddedStore store, final WindowStats[] stats, final int reps) {
        final double[] micros = new double[reps];
        double sink = 0;
        for (int r = -WARMUP_REPS; r < reps; r++) {
            final long t0 = System.nanoTime();
            for (int m = 0; m < MODEL_COUNT; m++) {
                store.aggregates().window(MODELS[m], NOW_MS - WINDOW_MS, NOW_MS, stats[m]);
                sink += stats[m].latencyMs(95) + stats[m].tokensPerSecond();
            }
            final long t1 = System.nanoTime();
            if (r >= 0) {
                micros[r] = (t1 - t0) / 1e3;
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        return micros;
    }

    private static double[] timeQuestQuery(final CairoEngine engine, final SqlExecutionContextImpl ctx,
        final String sql, final int reps, final boolean compileEachTime, final String[] rows) throws Exception {
        final double[] micros = new double[reps];
        double sink = 0;
        RecordCursorFactory factory = compileEachTime ? null : engine.select(sql, ctx);
        try {
            for (int r = -WARMUP_REPS; r < reps; r++) {
                final long t0 = System.nanoTime();
                ctx.initNow();
                if (compileEachTime) {
                    factory = engine.select(sql, ctx);
                }
                int row = 0;
                try (RecordCursor cursor = factory.getCursor(ctx)) {
                    final Record record = cursor.getRecord();
                    while (cursor.hasNext()) {
                        sink += record.getDouble(1) + record.getDouble(2) + record.getLong(3);
                        if (rows != null && r == reps - 1 && row < rows.length) {
                            rows[row] = String.format(Locale.ROOT, "%s, %d, %.1f, %.1f", record.getSymA(0),
                                record.getLong(3), record.getDouble(1), record.getDouble(2));
                        }
                        row++;
                    }
                }
                if (compileEachTime) {
                    factory.close();
                    factory = null;
                }
                final long t1 = System.nanoTime();
                if (r >= 0) {
                    micros[r] = (t1 - t0) / 1e3;
                }
            }
        } finally {
            if (factory != null) {
                factory.close();
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        return micros;
    }

    private void printQuery(final String name, final double[] micros) {
        out.printf(Locale.ROOT, "%-48s %12.1f %12.1f%n", name, median(micros), percentile(micros, 99));
    }

    static double median(final double[] values) {
        return percentile(values, 50);
    }

    static double percentile(final double[] values, final double percentile) {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int index = (int)Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static void deleteRecursively(final Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
