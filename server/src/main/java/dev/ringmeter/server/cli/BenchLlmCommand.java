package dev.ringmeter.server.cli;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.report.ReportFormat;
import dev.ringmeter.server.llmbench.BenchmarkProgress;
import dev.ringmeter.server.llmbench.BenchmarkResult;
import dev.ringmeter.server.llmbench.BenchmarkSink;
import dev.ringmeter.server.llmbench.BenchmarkSpec;
import dev.ringmeter.server.llmbench.BenchmarkSpecException;
import dev.ringmeter.server.llmbench.LlmBenchmark;
import dev.ringmeter.server.llmbench.RequestLog;
import dev.ringmeter.server.llmbench.StoreSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ringmeter bench-llm}: runs an {@link LlmBenchmark} against OpenAI-compatible endpoints from options or a
 * spec file, shows its progress on a terminal, prints a summary table at the end, and writes what was asked (the
 * result's JSON, a per-request JSONL log, a Markdown or HTML report). Its runs and requests go to a store: a data
 * directory opened here ({@link StoreSink}), or a running server ({@code --url}, or the server holding the directory)
 * through {@link RemoteBenchmarkSink}.
 * <p>
 * Ctrl-C (SIGINT) or SIGTERM cancels the benchmark: a shutdown hook calls {@link LlmBenchmark#cancel()} and holds the
 * JVM until this command has written the summary and the files of what was measured, marked cancelled; the process
 * then ends with the signal's status (130 for SIGINT). Exit codes: 0 completed, 1 failed, 2 bad options, 3 the store
 * or the server cannot be reached, 130 cancelled.
 * <p>
 * Threading: the command's thread runs the benchmark's start, progress and end; the hook runs on the JVM's.
 */
@Command(name = "bench-llm", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Benchmark OpenAI-compatible LLM endpoints (TTFT, ITL, TPOT, end-to-end, throughput, goodput);"
        + " each matrix cell becomes a run in the store.",
    footer = {"", "Examples:",
        "  ringmeter bench-llm --target http://127.0.0.1:8081/v1 --model mock-llm --synthetic 128:64"
            + " --concurrency 1,2,4,8 --requests 50 --slo-ttft-ms 200 --report bench.html",
        "  ringmeter bench-llm --spec spec.json --url http://127.0.0.1:8080 --jsonl requests.jsonl",
        "", "Exit codes: 0 completed, 1 failed, 2 bad options, 3 unreachable, 130 cancelled (Ctrl-C).",
        "See docs/llm-bench.md."})
final class BenchLlmCommand implements Callable<Integer> {
    /** The exit status of a benchmark cancelled by Ctrl-C: 128 + SIGINT, as a shell reports it. */
    static final int EXIT_CANCELLED = 130;
    /** How long the shutdown hook waits for the result and its files once cancelled. */
    private static final long CANCEL_WAIT_MS = 30_000;

    @Mixin
    Target target;

    @Option(names = "--spec", paramLabel = "FILE", description = "The benchmark as JSON (docs/llm-bench.md); the"
        + " options below build one otherwise and may not be mixed with it.")
    Path specFile;

    @Option(names = "--name", paramLabel = "NAME", description = "The benchmark's name; its runs' names start with it"
        + " (default: llm-bench).")
    String name;

    @Option(names = "--tag", paramLabel = "TAG", description = "A tag of its runs; repeatable.")
    List<String> tags = new ArrayList<>();

    @Option(names = "--target", paramLabel = "[NAME=]BASE_URL", description = "An OpenAI-compatible endpoint's base,"
        + " e.g. http://127.0.0.1:8000/v1; repeatable.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--api", paramLabel = "API", description = "chat (/chat/completions) or completions"
        + " (/completions) (default: chat).")
    String api = "chat";

    @Option(names = "--no-stream", description = "Ask for whole replies instead of SSE streams (no TTFT or ITL).")
    boolean noStream;

    @Option(names = "--api-key-env", paramLabel = "VAR", description = "The environment variable holding the"
        + " targets' API key (sent as a bearer token; never written anywhere).")
    String apiKeyEnv;

    @Option(names = "--model", paramLabel = "MODEL", description = "A model to ask each target; repeatable.")
    List<String> models = new ArrayList<>();

    @Option(names = "--prompts", paramLabel = "FILE", description = "A JSONL file of prompts: {\"prompt\": ...} or"
        + " {\"messages\": [...]}, with an optional \"expected\" and \"match\" (exact, contains, regex, f1).")
    Path prompts;

    @Option(names = "--synthetic", paramLabel = "IN:OUT", description = "Synthetic prompts of IN input tokens"
        + " asking for OUT output tokens (max_tokens, with ignore_eos and min_tokens unless --no-fix-output).")
    String synthetic;

    @Option(names = "--synthetic-count", paramLabel = "N", description = "Distinct synthetic prompts (default:"
        + " ${DEFAULT-VALUE}).")
    int syntheticCount = 100;

    @Option(names = "--no-fix-output", description = "Do not send ignore_eos and min_tokens with synthetic prompts.")
    boolean noFixOutput;

    @Option(names = "--config", paramLabel = "NAME[=KEY:VALUE,...]", description = "A parameter set sent with each"
        + " request, e.g. cold=temperature:0,max_tokens:64,ignore_eos:true; repeatable (keys temperature, max_tokens,"
        + " top_p, and any other body field).")
    List<String> configs = new ArrayList<>();

    @Option(names = "--trials", paramLabel = "N", description = "Times each cell sends each prompt (default:"
        + " ${DEFAULT-VALUE}).")
    int trials = 1;

    @Option(names = "--concurrency", paramLabel = "N[,N...]", split = ",", description = "Closed loop: requests in"
        + " flight; several values make a sweep (default: 1).")
    List<Integer> concurrency = new ArrayList<>();

    @Option(names = "--rate", paramLabel = "R[,R...]", split = ",", description = "Open loop: requests per second;"
        + " several values make a sweep.")
    List<Double> rates = new ArrayList<>();

    @Option(names = "--arrivals", paramLabel = "KIND", description = "With --rate: constant or poisson (default:"
        + " ${DEFAULT-VALUE}).")
    String arrivals = "poisson";

    @Option(names = "--burstiness", paramLabel = "B", description = "Poisson: the gamma shape of inter-arrivals,"
        + " 1 = Poisson, below 1 burstier (default: ${DEFAULT-VALUE}).")
    double burstiness = 1;

    @Option(names = "--ramp-up-ms", paramLabel = "MS", description = "Closed: workers start over this; open: the"
        + " rate grows from 0 over this.")
    long rampUpMs;

    @Option(names = "--warmup-ms", paramLabel = "MS", description = "Warm-up time per cell, excluded from results.")
    long warmupMs;

    @Option(names = "--warmup-requests", paramLabel = "N", description = "Warm-up requests per cell, excluded.")
    long warmupRequests;

    @Option(names = "--cooldown-ms", paramLabel = "MS", description = "Cool-down time per cell, excluded.")
    long cooldownMs;

    @Option(names = "--cooldown-requests", paramLabel = "N", description = "Cool-down requests per cell, excluded.")
    long cooldownRequests;

    @Option(names = "--max-in-flight", paramLabel = "N", description = "Open loop: most requests in flight"
        + " (default: ${DEFAULT-VALUE}).")
    int maxInFlight = 1024;

    @Option(names = "--duration-ms", paramLabel = "MS", description = "Stop measuring a cell after this long.")
    long durationMs;

    @Option(names = "--requests", paramLabel = "N", description = "Stop a cell after this many measured requests"
        + " (the prompts are cycled); with no stop condition each cell sends its prompts once.")
    long requests;

    @Option(names = "--max-errors", paramLabel = "N", description = "Stop a cell after this many failures.")
    long maxErrors;

    @Option(names = "--min-rate-fraction", paramLabel = "F", description = "Open loop: saturated when the completed"
        + " rate falls below F of the asked one; a sweep stops there.")
    double minRateFraction;

    @Option(names = "--max-queued", paramLabel = "N", description = "Open loop: saturated when more than N arrivals"
        + " wait for a slot.")
    long maxQueued;

    @Option(names = "--timeout-ms", paramLabel = "MS", description = "Each request's timeout (default:"
        + " ${DEFAULT-VALUE}).")
    long timeoutMs = 60_000;

    @Option(names = "--slo-ttft-ms", paramLabel = "MS", description = "SLO: TTFT at most this.")
    Double sloTtftMs;

    @Option(names = "--slo-tpot-ms", paramLabel = "MS", description = "SLO: TPOT at most this.")
    Double sloTpotMs;

    @Option(names = "--slo-e2e-ms", paramLabel = "MS", description = "SLO: end-to-end latency at most this.")
    Double sloE2eMs;

    @Option(names = "--slo-attainment", paramLabel = "F", description = "Share of requests that must meet the SLOs"
        + " for a load point to (default: ${DEFAULT-VALUE}).")
    double sloAttainment = 0.9;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of Poisson arrivals and synthetic prompts"
        + " (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--jsonl", paramLabel = "FILE", description = "Write one JSON line per request.")
    Path jsonl;

    @Option(names = "--report", paramLabel = "FILE.md|FILE.html", description = "Write a Markdown or HTML report.")
    Path report;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the result as JSON.")
    Path json;

    @Override
    public Integer call() throws InterruptedException {
        final BenchmarkSpec spec = spec();
        final ReportFormat reportFormat = report == null ? null : reportFormat(report);
        final CountDownLatch written = new CountDownLatch(1);
        final AtomicReference<LlmBenchmark> running = new AtomicReference<>();
        final Thread hook = new Thread(() -> {
            final LlmBenchmark b = running.get();
            if (b != null) {
                b.cancel();
            }
            try {
                written.await(CANCEL_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-llm-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        final RequestLog log = jsonl == null ? null : openLog(jsonl);
        try (SinkHandle sink = sink()) {
            final LlmBenchmark bench;
            try {
                bench = LlmBenchmark.start(spec, sink.sink, log);
            } catch (final BenchmarkSpecException e) {
                throw new CliException(RingmeterCommand.EXIT_USAGE, e.getMessage());
            }
            running.set(bench);
            try {
                final BenchmarkResult result = follow(bench, spec);
                if (log != null) {
                    log.close();
                    if (log.failure() != null) {
                        System.err.println("ringmeter bench-llm: the request log " + jsonl + " is incomplete: "
                            + log.failure().getMessage());
                    }
                }
                System.out.print(BenchSummary.text(result));
                System.out.flush();
                if (json != null) {
                    write(json, result.toJson() + "\n");
                }
                if (reportFormat != null) {
                    write(report, reportFormat.render(BenchSummary.document(result)));
                }
                switch (result.status()) {
                    case COMPLETED: return RingmeterCommand.EXIT_OK;
                    case CANCELLED: return EXIT_CANCELLED;
                    default:
                        System.err.println("ringmeter bench-llm: the benchmark failed: " + result.reason());
                        return RingmeterCommand.EXIT_FAILED;
                }
            } finally {
                bench.close();
            }
        } finally {
            if (log != null) {
                log.close();   // idempotent: closed already once the result was in
            }
            written.countDown();   // the runs are finished and the store closed: a signal may end the JVM now
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (final IllegalStateException shuttingDown) {
                // the hook is running: it returns now
            }
        }
    }

    /** Draws the progress (cells, then requests of the current cell) until the benchmark ends. */
    private static BenchmarkResult follow(final LlmBenchmark bench, final BenchmarkSpec spec)
        throws InterruptedException {
        final ProgressBar bar = ProgressBar.onTerminal("cells", spec.cellCount());
        while (true) {
            try {
                final BenchmarkResult r = bench.await(Duration.ofMillis(100));
                bar.update(spec.cellCount());
                return r;
            } catch (final java.util.concurrent.TimeoutException notYet) {
                final BenchmarkProgress p = bench.progress();
                bar.update(Math.max(0, p.cell() - 1));
            }
        }
    }

    private BenchmarkSpec spec() {
        try {
            if (specFile != null) {
                if (!targets.isEmpty() || !models.isEmpty() || prompts != null || synthetic != null) {
                    throw new CliException(RingmeterCommand.EXIT_USAGE, "give --spec or the spec's options"
                        + " (--target, --model, --prompts, --synthetic ...), not both");
                }
                return BenchmarkSpec.fromJson(Files.readString(specFile, StandardCharsets.UTF_8));
            }
            return built();
        } catch (final BenchmarkSpecException e) {
            throw new CliException(RingmeterCommand.EXIT_USAGE, "bad benchmark: " + e.getMessage());
        } catch (final IOException e) {
            throw new CliException(RingmeterCommand.EXIT_USAGE, "cannot read the spec " + specFile + ": "
                + e.getMessage());
        }
    }

    private BenchmarkSpec built() {
        if (targets.isEmpty()) {
            throw new CliException(RingmeterCommand.EXIT_USAGE, "give at least one --target (or --spec)");
        }
        if (!concurrency.isEmpty() && !rates.isEmpty()) {
            throw new CliException(RingmeterCommand.EXIT_USAGE, "give --concurrency or --rate, not both");
        }
        final BenchmarkSpec.Builder b = BenchmarkSpec.builder();
        if (name != null) {
            b.name(name);
        }
        tags.forEach(b::tag);
        final BenchmarkSpec.Api kind = switch (api.toLowerCase(Locale.ROOT)) {
            case "chat" -> BenchmarkSpec.Api.CHAT;
            case "completions" -> BenchmarkSpec.Api.COMPLETIONS;
            default -> throw new CliException(RingmeterCommand.EXIT_USAGE, "--api must be chat or completions but"
                + " was '" + api + "'");
        };
        for (int i = 0; i < targets.size(); i++) {
            final String t = targets.get(i);
            final int eq = t.indexOf('=');
            final boolean named = eq > 0 && !t.substring(0, eq).contains(":");
            final String targetName = named ? t.substring(0, eq) : targets.size() == 1 ? "default" : "t" + (i + 1);
            b.target(new BenchmarkSpec.Target(targetName, named ? t.substring(eq + 1) : t, kind, !noStream,
                apiKeyEnv));
        }
        models.forEach(b::model);
        if (prompts != null) {
            b.promptsFile(prompts.toString());
        }
        if (synthetic != null) {
            final String[] io = synthetic.split(":", -1);
            try {
                b.synthetic(new BenchmarkSpec.Synthetic(Integer.parseInt(io[0].trim()), Integer.parseInt(
                    io[1].trim()), syntheticCount, !noFixOutput));
            } catch (final RuntimeException e) {
                throw new CliException(RingmeterCommand.EXIT_USAGE, "--synthetic must be IN:OUT tokens, e.g."
                    + " 128:64, but was '" + synthetic + "'");
            }
        }
        for (final String c : configs) {
            b.configuration(configuration(c));
        }
        b.trials(trials);
        final BenchmarkSpec.Phase warmup = new BenchmarkSpec.Phase(warmupMs, warmupRequests);
        final BenchmarkSpec.Phase cooldown = new BenchmarkSpec.Phase(cooldownMs, cooldownRequests);
        final List<Double> points = new ArrayList<>();
        final BenchmarkSpec.LoadMode mode;
        if (rates.isEmpty()) {
            mode = BenchmarkSpec.LoadMode.CLOSED;
            (concurrency.isEmpty() ? List.of(1) : concurrency).forEach(c -> points.add((double)c));
        } else {
            mode = switch (arrivals.toLowerCase(Locale.ROOT)) {
                case "constant" -> BenchmarkSpec.LoadMode.CONSTANT;
                case "poisson" -> BenchmarkSpec.LoadMode.POISSON;
                default -> throw new CliException(RingmeterCommand.EXIT_USAGE, "--arrivals must be constant or"
                    + " poisson but was '" + arrivals + "'");
            };
            points.addAll(rates);
        }
        b.load(new BenchmarkSpec.Load(mode, points, burstiness, rampUpMs, warmup, cooldown, maxInFlight));
        b.stop(new BenchmarkSpec.Stop(durationMs, requests, maxErrors, minRateFraction, maxQueued));
        b.requestTimeout(Duration.ofMillis(timeoutMs));
        b.slo(new BenchmarkSpec.Slo(sloTtftMs, sloTpotMs, sloE2eMs, sloAttainment));
        b.seed(seed);
        return b.build();
    }

    /** @return a configuration from {@code NAME[=key:value,...]}. */
    static BenchmarkSpec.Configuration configuration(final String text) {
        final int eq = text.indexOf('=');
        final String configName = eq < 0 ? text : text.substring(0, eq);
        Double temperature = null;
        Integer maxTokens = null;
        Double topP = null;
        final Map<String, Object> extra = new LinkedHashMap<>();
        if (eq >= 0 && eq + 1 < text.length()) {
            for (final String kv : text.substring(eq + 1).split(",")) {
                final int colon = kv.indexOf(':');
                if (colon <= 0) {
                    throw new CliException(RingmeterCommand.EXIT_USAGE, "--config " + text + ": '" + kv
                        + "' is not KEY:VALUE");
                }
                final String key = kv.substring(0, colon).trim();
                final String value = kv.substring(colon + 1).trim();
                try {
                    switch (key) {
                        case "temperature" -> temperature = Double.parseDouble(value);
                        case "max_tokens" -> maxTokens = Integer.parseInt(value);
                        case "top_p" -> topP = Double.parseDouble(value);
                        default -> extra.put(key, scalar(value));
                    }
                } catch (final NumberFormatException e) {
                    throw new CliException(RingmeterCommand.EXIT_USAGE, "--config " + text + ": " + key
                        + " must be a number but was '" + value + "'");
                }
            }
        }
        return new BenchmarkSpec.Configuration(configName, temperature, maxTokens, topP, extra);
    }

    private static Object scalar(final String value) {
        if (value.equals("true") || value.equals("false")) {
            return Boolean.valueOf(value);
        }
        try {
            return value.contains(".") || value.contains("e") ? (Object)Double.valueOf(value) : Long.valueOf(value);
        } catch (final NumberFormatException e) {
            return value;
        }
    }

    private static ReportFormat reportFormat(final Path file) {
        final String f = file.getFileName().toString();
        final int dot = f.lastIndexOf('.');
        try {
            return ReportFormat.parse(dot < 0 ? "" : f.substring(dot + 1));
        } catch (final IllegalArgumentException e) {
            throw new CliException(RingmeterCommand.EXIT_USAGE, "--report must end in .md or .html but was " + file);
        }
    }

    private static RequestLog openLog(final Path file) {
        try {
            return RequestLog.open(file);
        } catch (final UncheckedIOException e) {
            throw new CliException(RingmeterCommand.EXIT_USAGE, e.getMessage());
        }
    }

    /** Writes next to the file, then moves it over, so a partial file never stands where a whole one is expected. */
    private static void write(final Path file, final String text) {
        final Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try {
            Files.writeString(partial, text, StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (final IOException e) {
            throw new CliException(RingmeterCommand.EXIT_FAILED, "cannot write " + file + ": " + e.getMessage());
        }
    }

    /** The sink and what it holds open: a store opened here, or the client and API of a server. */
    private static final class SinkHandle implements AutoCloseable {
        final BenchmarkSink sink;
        private final AutoCloseable[] held;

        SinkHandle(final BenchmarkSink sink, final AutoCloseable... held) {
            this.sink = sink;
            this.held = held;
        }

        @Override
        public void close() {
            for (final AutoCloseable c : held) {
                try {
                    c.close();
                } catch (final Exception e) {
                    System.err.println("ringmeter bench-llm: closing " + c + ": " + e.getMessage());
                }
            }
        }
    }

    /** @return a server's sink ({@code --url}, or the server holding the directory), else the directory's store. */
    private SinkHandle sink() {
        if (target.url != null || target.holder() != null) {
            final Api server = target.open(true);
            final String token = target.token != null ? target.token : System.getenv("RINGMETER_TOKEN");
            if (target.route() != null) {
                System.err.println("ringmeter bench-llm: " + target.route());
            }
            final RemoteBenchmarkSink remote = new RemoteBenchmarkSink(server, token);
            return new SinkHandle(remote, remote, server);
        }
        final Path dir = target.directory();
        Target.quietLogs();
        try {
            final EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir)
                .shutdownHook(false));   // closed here, after the cancelled benchmark's runs are finished
            return new SinkHandle(new StoreSink(store), store);
        } catch (final IllegalStateException e) {
            throw new CliException(RingmeterCommand.EXIT_UNREACHABLE, "cannot open the data directory " + dir + ": "
                + e.getMessage() + "; if a server holds it, give its URL with --url");
        } catch (final RuntimeException e) {
            throw new CliException(RingmeterCommand.EXIT_FAILED, "cannot open the data directory " + dir + ": "
                + e.getMessage());
        }
    }
}
