package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.FullTiersLoad;
import dev.ringmeter.core.HeapBudget;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.run.RunException;
import dev.ringmeter.core.run.RunRules;
import dev.ringmeter.core.run.RunStatus;
import dev.ringmeter.core.run.RunTable;
import dev.ringmeter.core.watch.alert.AlertMetric;
import dev.ringmeter.core.watch.alert.AlertRule;
import dev.ringmeter.core.watch.alert.AlertScope;
import dev.ringmeter.core.watch.alert.AlertTable;
import dev.ringmeter.core.watch.alert.Target;
import dev.ringmeter.core.watch.alert.TargetKind;
import org.agrona.concurrent.CachedEpochClock;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Measures the heap a durable embedded store holds with N models whose every bucket of every tier is in use, for
 * several N one after the other (a fresh store in a fresh data directory each time), as heap used after full GCs
 * less the heap used before the first store opened; and sets beside it what the store's {@link HeapBudget} counts
 * (its fixed part plus N times its cost of a model), which must not be lower.
 * <p>
 * Two loads: {@code widest} (the default) fills the store with {@link FullTiersLoad}, every histogram at the
 * longest duration the event rules allow, which is what the budget counts; {@code typical} records 2 events per
 * second per model over 25 simulated hours with latency up to 30 s, time to first token up to 3 s, queue wait up
 * to 0.5 s, uniformly spread, and some errors. {@code steps} is the typical load recorded as pipeline steps that name
 * no model (operation pipeline_step, pipeline "p", step "model-N" for each N): what a subject other than a model
 * holds, each event counting in its pipeline step and in the one pipeline; the budget column then counts
 * {@code bytesEach(STEP)} a step.
 * <p>
 * A third load, {@code combinations}, measures the in-memory comparisons instead: one model and N configurations,
 * each configuration a combination with every bucket of both its rings in use (an event in each 5-minute bucket of
 * the last hour and each hour of the last day, one of them of the longest duration the event rules allow, so every
 * latency histogram is at its widest), beside what the budget counts a combination
 * ({@link HeapBudget#combinationBytes()}); run it with counts such as 1 101 1001.
 * <p>
 * A fourth, {@code runs}, measures the runs kept in memory: N runs at their widest (id, name, parameters, tags and
 * reason at their longest; every task tracked, {@code maxTasksPerRun} of them; all 16 steps, 32 error types and 16
 * quality names; the latency and step histograms spanning 1 µs to a day), beside what {@link RunTable#widestBytes}
 * counts a run and what the budget counts ({@link HeapBudget#runBytes()}, with its margin); run it with counts such
 * as 1 11 21. Task ids, step names and error types are the same in every run: the dictionary holds one string each,
 * in every reading alike, so the slope is the runs' own heap.
 * <p>
 * A fifth, {@code alerts [typical|widest]}, measures the alert state ({@code AlertTable}): 1,000 rules (the most),
 * then one evaluation that fires all of them, filling the history (1,000 transitions) and the outbox (1,000
 * deliveries: no sink); typical rules have a name, one target, two labels and the default summary, the widest every
 * value at its longest (8 targets of 2,048-char URLs, 16 labels of 256 chars, a 1,024-char summary).
 * <p>
 * Run: {@code java -Xmx2g -cp bench/target/benchmarks.jar dev.ringmeter.bench.core.FootprintReport
 * [widest|typical|steps] [models ...]} (models default 0 1 10 50).
 */
public final class FootprintReport {
    private static final long T0 = 1_760_000_400_000L;

    private FootprintReport() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("combinations")) {
            combinations(args);
            return;
        }
        if (args.length > 0 && args[0].equals("runs")) {
            runs(args);
            return;
        }
        if (args.length > 0 && args[0].equals("alerts")) {
            alerts(args.length > 1 && args[1].equals("widest"));
            return;
        }
        final boolean steps = args.length > 0 && args[0].equals("steps");
        final boolean widest = args.length == 0 || !args[0].equals("typical") && !steps;
        int[] counts = {0, 1, 10, 50};
        if (args.length > 1) {
            counts = new int[args.length - 1];
            for (int i = 1; i < args.length; i++) {
                counts[i - 1] = Integer.parseInt(args[i]);
            }
        }
        final long before = usedHeapAfterGc();
        System.out.printf("load=%s max heap=%,d bytes, heap used before any store=%,d bytes%n",
            widest ? "widest" : steps ? "steps" : "typical", Runtime.getRuntime().maxMemory(), before);
        System.out.printf("%7s %15s %15s %15s %15s %17s%n", "models", "measured", "measured/model", "budget",
            "budget/model", "store's estimate");
        long measuredEmpty = -1;
        for (final int models : counts) {
            final Path dir = Files.createTempDirectory("ringmeter-footprint");
            try {
                final CachedEpochClock clock = new CachedEpochClock();
                clock.update(T0);
                final StoreConfig config = new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
                    .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK)
                    .cardinalityLimit(steps ? Dimension.STEP : Dimension.MODEL, Math.max(1, models));
                try (EmbeddedStore store = EmbeddedStore.open(config)) {
                    final String[] names = new String[models];
                    for (int m = 0; m < models; m++) {
                        names[m] = "model-" + m;
                    }
                    if (widest) {
                        new FullTiersLoad(store, clock).fill(names, new String[0], "rate_limit", "f1");
                    } else {
                        typical(store, clock, names, steps);
                    }
                    final long measured = usedHeapAfterGc() - before;
                    measuredEmpty = models == 0 ? measured : measuredEmpty;
                    final HeapBudget budget = store.config().heapBudget();
                    final long perModel = budget.bytesEach(steps ? Dimension.STEP : Dimension.MODEL);
                    System.out.printf("%7d %15s %15s %15s %15s %17s%n", models, mb(measured),
                        models == 0 || measuredEmpty < 0 ? "" : mb((measured - measuredEmpty) / models),
                        mb(budget.fixedBytes() + models * perModel), mb(perModel),
                        mb(store.stats().aggregateHeapBytes()));
                }
            } finally {
                delete(dir);
            }
        }
    }

    /** The heap of N combinations of the in-memory comparisons, every bucket in use at its widest. */
    private static void combinations(final String[] args) throws Exception {
        final long before = usedHeapAfterGc();
        System.out.printf("load=combinations max heap=%,d bytes%n", Runtime.getRuntime().maxMemory());
        System.out.printf("%13s %15s %22s %22s%n", "combinations", "measured", "measured/combination",
            "budget/combination");
        long first = -1;
        int firstCount = 0;
        for (int a = 1; a < args.length; a++) {
            final int n = Integer.parseInt(args[a]);
            final Path dir = Files.createTempDirectory("ringmeter-footprint");
            try {
                final CachedEpochClock clock = new CachedEpochClock();
                final long end = T0 + TimeUnit.HOURS.toMillis(25);
                clock.update(end);
                final StoreConfig config = new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
                    .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).comparisonCombinations(n + 1)
                    .cardinalityLimit(Dimension.CONFIG, n + 1);
                try (EmbeddedStore store = EmbeddedStore.open(config)) {
                    final Event e = new Event();
                    final SplittableRandom random = new SplittableRandom(3);
                    for (int c = 0; c < n; c++) {
                        final String name = "config-" + c;
                        for (int k = 0; k < 13; k++) {
                            record(store, e, name, end - k * 300_000L - 1, random, true);
                        }
                        for (int h = 1; h < 25; h++) {
                            record(store, e, name, end - h * 3_600_000L - 1, random, true);
                        }
                    }
                    store.flush(60, TimeUnit.SECONDS);
                    final long measured = usedHeapAfterGc() - before;
                    if (first < 0) {
                        first = measured;
                        firstCount = n;
                    }
                    System.out.printf("%13d %15s %22s %22s%n", n, mb(measured),
                        n == firstCount ? "" : String.format("%,d bytes", (measured - first) / (n - firstCount)),
                        String.format("%,d bytes", store.config().heapBudget().combinationBytes()));
                }
            } finally {
                delete(dir);
            }
        }
    }

    /** The heap of N runs at their widest, as the slope from the first count to each next. */
    private static void runs(final String[] args) throws Exception {
        final long before = usedHeapAfterGc();
        System.out.printf("load=runs max heap=%,d bytes%n", Runtime.getRuntime().maxMemory());
        System.out.printf("%6s %15s %16s %26s %20s%n", "runs", "measured", "measured/run", "RunTable.widestBytes/run",
            "budget/run");
        long first = -1;
        int firstCount = 0;
        for (int a = 1; a < args.length; a++) {
            final int n = Integer.parseInt(args[a]);
            final Path dir = Files.createTempDirectory("ringmeter-footprint");
            try {
                final CachedEpochClock clock = new CachedEpochClock();
                clock.update(T0);
                final StoreConfig config = new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
                    .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).maxRuns(n + 1);
                try (EmbeddedStore store = EmbeddedStore.open(config)) {
                    for (int r = 0; r < n; r++) {
                        widestRun(store, r);
                    }
                    if (!store.flush(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("not applied");
                    }
                    for (int r = 0; r < n; r++) {
                        store.runs().finish(runId(store, r), RunStatus.COMPLETED, "r".repeat(RunRules.MAX_REASON_CHARS));
                    }
                    final long measured = usedHeapAfterGc() - before;
                    if (first < 0) {
                        first = measured;
                        firstCount = n;
                    }
                    final StoreConfig c = store.config();
                    final long estimate = RunTable.widestBytes(1, c.maxTasksPerRun(), c.histogramDigits(),
                        c.maxStringLength()) - RunTable.widestBytes(0, c.maxTasksPerRun(), c.histogramDigits(),
                        c.maxStringLength());
                    System.out.printf("%6d %15s %16s %26s %20s%n", n, mb(measured),
                        n == firstCount ? "" : String.format("%,d bytes", (measured - first) / (n - firstCount)),
                        String.format("%,d bytes", estimate),
                        String.format("%,d bytes", c.heapBudget().runBytes()));
                }
            } finally {
                delete(dir);
            }
        }
    }

    /** @return run r's id: the longest the store takes, distinct per run. */
    private static String runId(final EmbeddedStore store, final int r) {
        final String n = Integer.toString(r);
        return "i".repeat(store.config().maxStringLength() - n.length()) + n;
    }

    /**
     * Creates run r with its strings at their longest and records to it what makes every part of it widest: every
     * task tracked, every step, error type and quality name, histograms from 1 µs to a day.
     */
    private static void widestRun(final EmbeddedStore store, final int r) {
        final String id = runId(store, r);
        final List<String> tags = new ArrayList<>();
        for (int t = 0; t < RunRules.MAX_TAGS; t++) {
            tags.add(String.format("%0" + RunRules.MAX_KEY_CHARS + "d", t));
        }
        // every parameter, its string value as long as the rule on the command's bytes lets all of them be
        for (int chars = RunRules.MAX_VALUE_CHARS; ; chars--) {
            final Map<String, Object> parameters = new LinkedHashMap<>();
            for (int p = 0; p < RunRules.MAX_PARAMETERS; p++) {
                parameters.put(String.format("%0" + RunRules.MAX_KEY_CHARS + "d", p), "v".repeat(chars));
            }
            try {
                store.runs().create(id, "n".repeat(RunRules.MAX_NAME_CHARS), parameters, tags,
                    store.config().maxTasksPerRun());
                break;
            } catch (final RunException tooLong) {
                if (chars == 1) {
                    throw tooLong;
                }
            }
        }
        final Event e = new Event();
        final int steps = 16;
        for (int s = 0; s < 2 * steps; s++) {
            final String step = String.format("%0" + store.config().maxStringLength() + "d", s % steps);
            store.record(e.reset().model("m").operation("chat").run(id).step(step)
                .latencyNs(s < steps ? 1_000 : Event.MAX_DURATION_NS).promptTokens(100).completionTokens(10));
        }
        for (int t = 0; t < store.config().maxTasksPerRun(); t++) {
            e.reset().model("m").operation(RunTable.TASK_OPERATION).run(id).task("task-" + t)
                .latencyNs(1_000_000L).retries(t & 1);
            if (t < 32) {
                e.status(Status.ERROR).errorType("error-" + t);
            }
            for (int q = 0; q < 4; q++) {
                e.quality("quality-" + (4 * t + q) % 16, q / 4.0);
            }
            store.record(e);
        }
    }

    private static void record(final EmbeddedStore store, final Event e, final String config, final long t,
                               final SplittableRandom random, final boolean longest) {
        store.record(e.reset().model("m").config(config).timestampMs(t)
            .latencyNs(longest ? Event.MAX_DURATION_NS : random.nextLong(20_000_000L, 30_000_000_000L))
            .promptTokens(random.nextInt(100, 8000)).completionTokens(random.nextInt(1, 2000))
            .quality("f1", random.nextDouble()));
    }

    /**
     * 2 events per second per model over 25 simulated hours, the clock moved to each second; as pipeline steps of
     * no model when {@code steps}.
     */
    private static void typical(final EmbeddedStore store, final CachedEpochClock clock, final String[] models,
                                final boolean steps) throws InterruptedException {
        final SplittableRandom random = new SplittableRandom(11);
        final Event e = new Event();
        final long seconds = TimeUnit.HOURS.toSeconds(25);
        for (long s = 0; s < seconds; s++) {
            final long t = T0 + s * 1000;
            clock.update(t);
            for (final String model : models) {
                for (int k = 0; k < 2; k++) {
                    final boolean failed = random.nextInt(50) == 0;
                    e.reset();
                    if (steps) {
                        e.operation("pipeline_step").pipeline("p").step(model);
                    } else {
                        e.model(model);
                    }
                    store.record(e.timestampMs(t)
                        .latencyNs(random.nextLong(20_000_000L, 30_000_000_000L))
                        .ttftNs(random.nextLong(5_000_000L, 3_000_000_000L))
                        .queueWaitNs(random.nextLong(1_000L, 500_000_000L))
                        .promptTokens(random.nextInt(100, 8000)).completionTokens(random.nextInt(1, 2000))
                        .status(failed ? Status.ERROR : Status.OK)
                        .errorType(failed ? "error-" + random.nextInt(5) : null)
                        .quality("f1", random.nextDouble()));
                }
            }
        }
        store.flush(60, TimeUnit.SECONDS);
    }

    /** The heap of the alert state at its limits: 1,000 rules, then a full history and outbox. */
    private static void alerts(final boolean widest) throws Exception {
        final Path dir = Files.createTempDirectory("ringmeter-footprint");
        try {
            final CachedEpochClock clock = new CachedEpochClock();
            clock.update(T0);
            try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir).clock(clock)
                .shutdownHook(false).alertEvaluationIntervalMs(0).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK))) {
                final Event e = new Event();
                for (int i = 0; i < 10; i++) {
                    store.record(e.reset().model("m").operation("chat").timestampMs(T0).latencyMs(500));
                }
                store.flush(60, TimeUnit.SECONDS);
                final long before = usedHeapAfterGc();
                final int rules = AlertTable.MAX_RULES;
                for (int r = 0; r < rules; r++) {
                    store.alerts().putRule(widest ? widestRule(r) : new AlertRule("rule-" + r, "p95 of m, rule " + r,
                        AlertScope.parse("model:m"), AlertMetric.parse("p95"), 300_000, AlertRule.Comparator.GT, 100,
                        Double.NaN, 0, 1, List.of(new Target(TargetKind.WEBHOOK,
                        "https://hooks.example.com/ringmeter")), Map.of("team", "llm", "env", "prod"), null));
                }
                final long withRules = usedHeapAfterGc();
                clock.update(T0 + 1);
                store.alertEvaluator().tick(T0 + 1);
                final long full = usedHeapAfterGc();
                System.out.printf("load=alerts %s: %d rules %s (%s each); history of %d and outbox of %d (%d "
                    + "delivered) %s; total %s%n", widest ? "widest" : "typical", rules, mb(withRules - before),
                    kb((withRules - before) / rules), store.alerts().history(AlertTable.MAX_HISTORY, null).size(),
                    store.alerts().outboxSize(), store.alerts().table().delivered(), mb(full - withRules),
                    mb(full - before));
            }
        } finally {
            delete(dir);
        }
    }

    private static AlertRule widestRule(final int r) {
        final List<Target> targets = new ArrayList<>();
        for (int t = 0; t < AlertRule.MAX_TARGETS; t++) {
            final String url = "https://hooks.example.com/" + r + "/" + t + "/";
            targets.add(new Target(TargetKind.WEBHOOK, url + "x".repeat(Target.MAX_URL_LENGTH - url.length())));
        }
        final Map<String, String> labels = new LinkedHashMap<>();
        for (int l = 0; l < AlertRule.MAX_LABELS; l++) {
            labels.put("label_" + l, (r + "-" + l + "-").repeat(AlertRule.MAX_NAME_LENGTH).substring(0,
                AlertRule.MAX_NAME_LENGTH));
        }
        return new AlertRule("rule-" + r, ("rule " + r + " ").repeat(AlertRule.MAX_NAME_LENGTH).substring(0,
            AlertRule.MAX_NAME_LENGTH), AlertScope.parse("model:m"), AlertMetric.parse("p95"), 300_000,
            AlertRule.Comparator.GT, 100, Double.NaN, 0, 1, targets, labels, ("{value} " + r + " ").repeat(
            AlertRule.MAX_SUMMARY_LENGTH).substring(0, AlertRule.MAX_SUMMARY_LENGTH));
    }

    private static String kb(final long bytes) {
        return String.format("%.1f KB", bytes / 1024.0);
    }

    private static String mb(final long bytes) {
        return String.format("%.2f MB", bytes / (double)(1 << 20));
    }

    /** Heap used after full GCs, repeated until two readings agree within 1 %. */
    private static long usedHeapAfterGc() throws InterruptedException {
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(50);
            final long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (Math.abs(previous - used) <= used / 100) {
                return used;
            }
            previous = used;
        }
        return previous;
    }

    private static void delete(final Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
