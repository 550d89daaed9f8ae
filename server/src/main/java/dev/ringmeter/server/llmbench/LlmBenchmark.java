package dev.ringmeter.server.llmbench;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.run.RunStatus;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A running LLM benchmark: {@link #start} sends the spec's requests to its targets, cell by cell, on threads of its
 * own, and hands each cell's run and measured requests to a {@link BenchmarkSink}. Part of the server module (an
 * embedded user adds {@code ringmeter-server}); see the package documentation for what is measured and how.
 * <p>
 * Threads: a driver ({@code llm-bench-driver}) schedules sends and phases; the JDK HTTP client's selector thread
 * reads the bytes and stamps them (its executor runs tasks in place, so no hand-off lies between a read and its
 * timestamp); a results thread ({@code llm-bench-results}) folds each ended request into the cell's figures, the sink
 * and the request log, off the reading thread; a timer thread ({@code llm-bench-timer}) ends requests at their
 * timeout. {@link #progress()}, {@link #cancel()}, {@link #await()} and {@link #close()} may be called from any thread.
 * <p>
 * Memory: per request in flight its parser and gaps (see {@link SseCall}), at most {@link BenchmarkSpec.Load#maxInFlight()}
 * (closed loop: the concurrency); queued open-loop arrivals at most {@link #MAX_QUEUED} (beyond it the cell is
 * saturated); per cell its histograms ({@link BenchmarkResult}).
 */
public final class LlmBenchmark implements AutoCloseable {
    /** Most open-loop arrivals waiting for a slot before the cell stops as saturated. */
    public static final int MAX_QUEUED = 100_000;
    private static final long WAKE_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private final String id;
    private final BenchmarkSpec spec;
    private final BenchmarkSink sink;
    private final RequestLog log;
    private final WorkList work;
    private final Map<String, String> apiKeys;
    private final HttpClient client;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService results;
    private final Thread driver;
    private final CompletableFuture<BenchmarkResult> done = new CompletableFuture<>();
    private final long startNs = System.nanoTime();
    private final long startedMs = System.currentTimeMillis();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Set<SseCall> active = ConcurrentHashMap.newKeySet();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong cellFailed = new AtomicLong();
    private final AtomicLong measuredFailed = new AtomicLong();
    private final AtomicLong measuredEnded = new AtomicLong();
    private final Event event = new Event();

    private volatile boolean cancelled;
    private volatile BenchmarkProgress.Phase phase = BenchmarkProgress.Phase.WARMUP;
    private volatile int cellNumber;
    private volatile String cellLabel;
    private volatile long cellStartNs;
    private volatile long measureStartNs;
    private volatile long cellSent;

    private LlmBenchmark(final BenchmarkSpec spec, final BenchmarkSink sink, final RequestLog log) {
        this.id = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        this.spec = spec;
        this.sink = sink;
        this.log = log;
        this.work = WorkList.of(spec);
        this.apiKeys = new LinkedHashMap<>();
        for (int i = 0; i < spec.targets().size(); i++) {
            final BenchmarkSpec.Target t = spec.targets().get(i);
            if (t.apiKeyEnv() != null) {
                final String key = System.getenv(t.apiKeyEnv());
                if (key == null || key.isEmpty()) {
                    throw new BenchmarkSpecException("targets[" + i + "].apiKeyEnv", "the environment variable "
                        + t.apiKeyEnv() + " is not set");
                }
                apiKeys.put(t.name(), key);
            }
        }
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Runnable::run)
            .connectTimeout(Duration.ofMillis(spec.requestTimeoutMs())).build();
        this.timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "llm-bench-timer"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.results = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
            r -> daemon(r, "llm-bench-results"));
        this.driver = daemon(this::drive, "llm-bench-driver");
    }

    static {
        // loads the SSE parser's classes once, so a benchmark's first chunks are not stamped late by class loading
        final SseCall warm = new SseCall(true, 0, 0, c -> { });
        warm.httpStatus = 200;
        warm.onNext(List.of(java.nio.ByteBuffer.wrap(("data: {\"id\":\"w\",\"choices\":[{\"delta\":{\"content\":"
            + "\"w\"},\"finish_reason\":null}],\"usage\":{\"prompt_tokens\":1}}\n\ndata: [DONE]\n\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        warm.onComplete();
    }

    private static Thread daemon(final Runnable r, final String name) {
        final Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Starts a benchmark.
     *
     * @param spec what to run.
     * @param sink where its runs and requests go.
     * @return the running benchmark.
     * @throws BenchmarkSpecException the prompts file cannot be read, or a target's API key variable is not set.
     */
    public static LlmBenchmark start(final BenchmarkSpec spec, final BenchmarkSink sink) {
        return start(spec, sink, null);
    }

    /**
     * Starts a benchmark that also writes one line per request to a log.
     *
     * @param spec what to run.
     * @param sink where its runs and requests go.
     * @param log  the per-request log, or null; the caller closes it after {@link #await()}.
     * @return the running benchmark.
     * @throws BenchmarkSpecException the prompts file cannot be read, or a target's API key variable is not set.
     */
    public static LlmBenchmark start(final BenchmarkSpec spec, final BenchmarkSink sink, final RequestLog log) {
        final LlmBenchmark b = new LlmBenchmark(spec, sink, log);
        b.driver.start();
        return b;
    }

    /** @return its id (its runs' ids start with it). */
    public String id() {
        return id;
    }

    /** @return its spec. */
    public BenchmarkSpec spec() {
        return spec;
    }

    /** @return where it stands now. */
    public BenchmarkProgress progress() {
        final long now = System.nanoTime();
        final BenchmarkResult r = done.getNow(null);
        final long measuring = measureStartNs == 0 ? 0 : now - measureStartNs;
        final double rps = measuring <= 0 ? 0 : measuredEnded.get() * 1e9 / measuring;
        return new BenchmarkProgress(id, r == null ? phase : BenchmarkProgress.Phase.DONE,
            r == null ? BenchmarkResult.Status.RUNNING : r.status(), cellNumber, spec.cellCount(), cellLabel,
            ended.get(), inFlight.get(), cellFailed.get(), (now - startNs) / 1_000_000, r == null ? eta(now, rps) : 0,
            rps);
    }

    private long eta(final long now, final double rps) {
        final BenchmarkSpec.Stop stop = spec.stop();
        final BenchmarkSpec.Load load = spec.load();
        final double cellMs;
        if (stop.durationMs() > 0) {
            cellMs = load.warmup().durationMs() + stop.durationMs() + load.cooldown().durationMs();
        } else {
            final double rate = load.open() ? load.points().get(0) : rps;
            if (rate <= 0) {
                return -1;
            }
            cellMs = (expectedRequests() + load.warmup().requests() + load.cooldown().requests()) * 1e3 / rate;
        }
        final double inCellMs = cellStartNs == 0 ? 0 : (now - cellStartNs) / 1e6;
        final int left = spec.cellCount() - Math.max(1, cellNumber);
        return Math.max(0, Math.round(cellMs - inCellMs + left * cellMs));
    }

    private long expectedRequests() {
        final BenchmarkSpec.Stop stop = spec.stop();
        if (stop.durationMs() > 0) {
            return stop.requests() > 0 ? stop.requests() : -1;
        }
        return stop.requests() > 0 ? stop.requests() : (long)work.size() * spec.trials();
    }

    /** Cancels it: requests in flight are abandoned, what was measured is kept and the result is cancelled. */
    public void cancel() {
        cancelled = true;
        for (final SseCall c : active) {
            c.fail(Status.CANCELLED, "cancelled", "the benchmark was cancelled");
        }
        signal();
    }

    /**
     * Waits for its end.
     *
     * @return its result.
     * @throws InterruptedException if interrupted while waiting.
     */
    public BenchmarkResult await() throws InterruptedException {
        try {
            return done.get();
        } catch (final ExecutionException e) {
            throw new IllegalStateException("the benchmark's driver failed", e.getCause());
        }
    }

    /**
     * Waits for its end at most this long.
     *
     * @param timeout how long to wait.
     * @return its result.
     * @throws InterruptedException if interrupted while waiting.
     * @throws TimeoutException     if it has not ended in time.
     */
    public BenchmarkResult await(final Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (final ExecutionException e) {
            throw new IllegalStateException("the benchmark's driver failed", e.getCause());
        }
    }

    /** Cancels it if running, waits for its end (at most its request timeout and a second more), stops its threads. */
    @Override
    public void close() {
        if (!done.isDone()) {
            cancel();
        }
        try {
            done.get(spec.requestTimeoutMs() + 1_000, TimeUnit.MILLISECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final ExecutionException | TimeoutException e) {
            driver.interrupt();
        }
        timer.shutdownNow();
        results.shutdown();
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void waitUntil(final long deadlineNs) throws InterruptedException {
        lock.lock();
        try {
            final long waitNs = Math.min(deadlineNs - System.nanoTime(), WAKE_NS);
            if (waitNs > 0 && !cancelled) {
                changed.awaitNanos(waitNs);
            }
        } finally {
            lock.unlock();
        }
    }

    private void drive() {
        final List<BenchmarkResult.CellResult> cells = new ArrayList<>();
        BenchmarkResult.Status status = BenchmarkResult.Status.COMPLETED;
        String reason = null;
        try {
            int index = 0;
            for (final BenchmarkSpec.Target target : spec.targets()) {
                for (final String model : spec.models()) {
                    for (final BenchmarkSpec.Configuration config : spec.configurations()) {
                        boolean saturated = false;
                        for (final double point : spec.load().points()) {
                            final BenchmarkCell cell = new BenchmarkCell(index++, target, model, config,
                                spec.load().mode(), point);
                            if (cancelled || saturated) {
                                continue;
                            }
                            final BenchmarkResult.CellResult r = runCell(cell);
                            cells.add(r);
                            saturated = "saturation".equals(r.stoppedBy());
                        }
                    }
                }
            }
            if (cancelled) {
                status = BenchmarkResult.Status.CANCELLED;
                reason = "cancelled";
            }
        } catch (final InterruptedException e) {
            status = BenchmarkResult.Status.CANCELLED;
            reason = "interrupted";
            Thread.currentThread().interrupt();
        } catch (final RuntimeException e) {
            status = BenchmarkResult.Status.FAILED;
            reason = String.valueOf(e.getMessage());
        }
        phase = BenchmarkProgress.Phase.DONE;
        done.complete(new BenchmarkResult(id, spec.name(), status, reason, startedMs,
            (System.nanoTime() - startNs) / 1_000_000, cells, sweeps(cells)));
    }

    private List<BenchmarkResult.Sweep> sweeps(final List<BenchmarkResult.CellResult> cells) {
        final List<BenchmarkResult.Sweep> out = new ArrayList<>();
        if (spec.load().points().size() < 2) {
            return out;
        }
        final Map<String, List<BenchmarkResult.CellResult>> groups = new LinkedHashMap<>();
        for (final BenchmarkResult.CellResult c : cells) {
            groups.computeIfAbsent(c.cell().target().name() + "\u0000" + c.cell().model() + "\u0000"
                + c.cell().configuration().name(), k -> new ArrayList<>()).add(c);
        }
        for (final List<BenchmarkResult.CellResult> g : groups.values()) {
            final List<BenchmarkResult.LoadPoint> curve = new ArrayList<>();
            double bestPoint = 0;
            double bestRps = 0;
            double bestTps = 0;
            for (final BenchmarkResult.CellResult c : g) {
                curve.add(new BenchmarkResult.LoadPoint(c.cell().point(), c.requestsPerSec(), c.outputTokensPerSec(),
                    c.goodputPerSec(), c.ttft().p50(), c.tpot().p50(), c.e2e().p99(), c.meetsSlo()));
                if (c.meetsSlo()) {
                    bestPoint = Math.max(bestPoint, c.cell().point());
                    bestRps = Math.max(bestRps, c.requestsPerSec());
                    bestTps = Math.max(bestTps, c.outputTokensPerSec());
                }
            }
            final BenchmarkCell first = g.get(0).cell();
            out.add(new BenchmarkResult.Sweep(first.target().name(), first.model(), first.configuration().name(),
                first.mode(), curve, bestPoint, bestRps, bestTps));
        }
        return out;
    }

    private BenchmarkResult.CellResult runCell(final BenchmarkCell cell) throws InterruptedException {
        final String runId = sink.startRun(id, spec, cell, expectedRequests());
        try {
            return measureCell(cell, runId);
        } catch (final RuntimeException | InterruptedException e) {
            cancel();
            sink.finishRun(runId, e instanceof InterruptedException ? RunStatus.CANCELLED : RunStatus.FAILED,
                String.valueOf(e.getMessage()));
            throw e;
        }
    }

    private BenchmarkResult.CellResult measureCell(final BenchmarkCell cell, final String runId)
        throws InterruptedException {
        final BenchmarkSpec.Load load = spec.load();
        final BenchmarkSpec.Stop stop = spec.stop();
        final CellStats stats = new CellStats(load.open());
        cellNumber = cell.index() + 1;
        cellLabel = cell.label();
        cellFailed.set(0);
        measuredFailed.set(0);
        measuredEnded.set(0);
        ended.set(0);
        measureStartNs = 0;
        final long cellStart = System.nanoTime();
        cellStartNs = cellStart;
        phase = load.warmup().none() ? BenchmarkProgress.Phase.MEASURING : BenchmarkProgress.Phase.WARMUP;
        if (phase == BenchmarkProgress.Phase.MEASURING) {
            measureStartNs = cellStart;
        }
        long phaseStart = cellStart;
        long phaseSent = 0;
        long sent = 0;
        String stoppedBy = null;
        final long workSize = (long)work.size() * spec.trials();
        final Arrivals arrivals = load.open() ? new Arrivals(load.mode() == BenchmarkSpec.LoadMode.POISSON,
            cell.point(), load.burstiness(), TimeUnit.MILLISECONDS.toNanos(load.rampUpMs()), cellStart,
            spec.seed() + cell.index()) : null;
        final ArrayDeque<Long> due = new ArrayDeque<>();
        final int slots = load.open() ? load.maxInFlight() : cell.concurrency();
        final long rampNs = TimeUnit.MILLISECONDS.toNanos(load.rampUpMs());
        while (true) {
            if (cancelled) {
                stoppedBy = "cancelled";
                break;
            }
            final long now = System.nanoTime();
            if (phase == BenchmarkProgress.Phase.WARMUP && phaseOver(load.warmup(), now - phaseStart, phaseSent)) {
                phase = BenchmarkProgress.Phase.MEASURING;
                measureStartNs = now;
                phaseStart = now;
                phaseSent = 0;
            }
            if (phase == BenchmarkProgress.Phase.MEASURING) {
                stoppedBy = stopReason(stop, now - phaseStart, phaseSent, workSize, cell, due.size());
                if (stoppedBy != null) {
                    if (load.cooldown().none()) {
                        break;
                    }
                    phase = BenchmarkProgress.Phase.COOLDOWN;
                    phaseStart = now;
                    phaseSent = 0;
                }
            }
            if (phase == BenchmarkProgress.Phase.COOLDOWN && phaseOver(load.cooldown(), now - phaseStart, phaseSent)) {
                break;
            }
            long baseNs = -1;
            if (arrivals != null) {
                while (arrivals.peekNs() <= now && due.size() <= MAX_QUEUED) {
                    due.add(arrivals.takeNs());
                }
                if (!due.isEmpty() && inFlight.get() < slots) {
                    baseNs = due.poll();
                } else if (due.isEmpty()) {
                    waitUntil(arrivals.peekNs());
                    continue;
                }
            } else {
                final long limit = rampNs == 0 ? slots
                    : Math.max(1, Math.min(slots, (long)Math.ceil(slots * (double)(now - cellStart) / rampNs)));
                if (inFlight.get() < limit) {
                    baseNs = 0;
                }
            }
            if (baseNs < 0) {
                waitUntil(now + WAKE_NS);
                continue;
            }
            send(cell, runId, stats, sent, phase, arrivals == null ? -1 : baseNs);
            sent++;
            cellSent = sent;
            phaseSent++;
        }
        if (cancelled) {
            cancel();
        }
        drain(sent);
        final RunStatus runStatus = cancelled ? RunStatus.CANCELLED : RunStatus.COMPLETED;
        sink.finishRun(runId, runStatus, cancelled ? "the benchmark was cancelled" : "stopped by " + stoppedBy);
        return stats.result(cell, runId, stoppedBy, spec.slo());
    }

    private static boolean phaseOver(final BenchmarkSpec.Phase p, final long elapsedNs, final long sent) {
        return elapsedNs >= TimeUnit.MILLISECONDS.toNanos(p.durationMs()) && sent >= p.requests();
    }

    private String stopReason(final BenchmarkSpec.Stop stop, final long elapsedNs, final long sent,
                              final long workSize, final BenchmarkCell cell, final int queued) {
        if (stop.errors() > 0 && measuredFailed.get() >= stop.errors()) {
            return "errors";
        }
        if (cell.mode() != BenchmarkSpec.LoadMode.CLOSED) {
            if (queued > MAX_QUEUED || stop.maxQueued() > 0 && queued > stop.maxQueued()) {
                return "saturation";
            }
            if (stop.minRateFraction() > 0 && elapsedNs >= 1_000_000_000L
                && sent * 1e9 / elapsedNs < stop.minRateFraction() * cell.ratePerSec()) {
                return "saturation";
            }
        }
        if (stop.durationMs() > 0 && elapsedNs >= TimeUnit.MILLISECONDS.toNanos(stop.durationMs())) {
            return "duration";
        }
        if (stop.requests() > 0 && sent >= stop.requests()) {
            return "requests";
        }
        if (stop.durationMs() == 0 && stop.requests() == 0 && sent >= workSize) {
            return "work";
        }
        return null;
    }

    private void drain(final long sent) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(spec.requestTimeoutMs() + 5_000);
        while (processed.get() < sent) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("requests did not end within their timeout: " + (sent
                    - processed.get()) + " outstanding");
            }
            waitUntil(System.nanoTime() + WAKE_NS);
        }
        processed.set(0);
    }

    private void send(final BenchmarkCell cell, final String runId, final CellStats stats, final long task,
                      final BenchmarkProgress.Phase sentIn, final long scheduledNs) {
        final BenchmarkSpec.Target target = cell.target();
        final BenchmarkSpec.Prompt prompt = work.prompt((int)(task % work.size()));
        final byte[] body = work.body(target, cell.model(), cell.configuration(), prompt);
        final String path = target.api() == BenchmarkSpec.Api.CHAT ? "/chat/completions" : "/completions";
        final String base = target.baseUrl().endsWith("/") ? target.baseUrl().substring(0, target.baseUrl().length()
            - 1) : target.baseUrl();
        final HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .header("Accept", target.stream() ? "text/event-stream" : "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        final String key = apiKeys.get(target.name());
        if (key != null) {
            rb.header("Authorization", "Bearer " + key);
        }
        final long startMs = System.currentTimeMillis();
        inFlight.incrementAndGet();
        final long sendNs = System.nanoTime();
        final long latencyFromNs = scheduledNs < 0 ? sendNs : scheduledNs;
        final ScheduledFuture<?>[] timeout = new ScheduledFuture<?>[1];
        final SseCall call = new SseCall(target.stream(), latencyFromNs, sendNs, c -> {
            active.remove(c);
            inFlight.decrementAndGet();
            ended.incrementAndGet();
            if (c.status != Status.OK) {
                cellFailed.incrementAndGet();
                if (sentIn == BenchmarkProgress.Phase.MEASURING) {
                    measuredFailed.incrementAndGet();
                }
            }
            if (sentIn == BenchmarkProgress.Phase.MEASURING) {
                measuredEnded.incrementAndGet();
            }
            final ScheduledFuture<?> t = timeout[0];
            if (t != null) {
                t.cancel(false);
            }
            results.execute(() -> finished(cell, runId, stats, task, sentIn, startMs, prompt, c));
            signal();
        });
        active.add(call);
        timeout[0] = timer.schedule(() -> call.fail(Status.TIMEOUT, "timeout", "no complete answer within "
            + spec.requestTimeoutMs() + " ms"), spec.requestTimeoutMs(), TimeUnit.MILLISECONDS);
        if (call.ended()) {
            timeout[0].cancel(false);
        }
        client.sendAsync(rb.timeout(Duration.ofMillis(spec.requestTimeoutMs())).build(), call.handler())
            .whenComplete((r, e) -> {
                if (e != null) {
                    final Throwable cause = e.getCause() != null ? e.getCause() : e;
                    call.fail(cause instanceof java.net.http.HttpTimeoutException ? Status.TIMEOUT : Status.ERROR,
                        cause instanceof java.net.http.HttpTimeoutException ? "timeout" : "connection_error",
                        String.valueOf(cause));
                }
            });
    }

    private void finished(final BenchmarkCell cell, final String runId, final CellStats stats, final long task,
                          final BenchmarkProgress.Phase sentIn, final long startMs, final BenchmarkSpec.Prompt prompt,
                          final SseCall c) {
        try {
            final long e2e = c.endNs - c.baseNs;
            final long ttft = c.firstContentNs >= 0 ? c.firstContentNs - c.baseNs : -1;
            final long tokens = c.completionTokens >= 0 ? c.completionTokens : c.contentChunks;
            final long tpot = c.status == Status.OK && ttft >= 0 && tokens >= 2 && c.lastByteNs > 0
                ? (e2e - ttft) / (tokens - 1) : -1;
            final long[] itl = new long[3];
            c.itl((v, k) -> {
                itl[0] += k;
                itl[1] += v * k;
                itl[2] = Math.max(itl[2], v);
            });
            final RequestOutcome o = new RequestOutcome(cell.index(), task, sentIn, startMs, c.sendNs - c.baseNs,
                c.status == Status.OK ? ttft : (ttft >= 0 ? ttft : -1), e2e, itl[0],
                itl[0] == 0 ? -1 : itl[1] / itl[0], itl[0] == 0 ? -1 : itl[2], tpot, c.promptTokens,
                c.completionTokens, c.contentChunks, c.status, c.errorType, c.errorMessage, c.requestId,
                c.answer.toString());
            if (log != null) {
                log.write(o);
            }
            if (sentIn == BenchmarkProgress.Phase.MEASURING && o.status() != Status.CANCELLED) {
                final Map<String, Double> scores = new LinkedHashMap<>();
                if (prompt.expected() != null && o.ok()) {
                    final BenchmarkSpec.Match m = prompt.match() == null ? BenchmarkSpec.Match.EXACT : prompt.match();
                    scores.put(Quality.name(m), Quality.score(m, prompt.expected(), o.answer()));
                }
                final boolean good = o.ok() && meets(o);
                stats.add(c, o, good, scores);
                if (!recordEvent(cell, runId, o, scores)) {
                    stats.dropped();
                }
                for (final Map.Entry<String, Double> s : scores.entrySet()) {
                    sink.recordQuality(runId, Long.toString(task), s.getKey(), s.getValue());
                }
            }
        } finally {
            processed.incrementAndGet();
            signal();
        }
    }

    private boolean meets(final RequestOutcome o) {
        final BenchmarkSpec.Slo slo = spec.slo();
        return (slo.ttftMs() == null || o.ttftNs() >= 0 && o.ttftNs() <= slo.ttftMs() * 1e6)
            && (slo.tpotMs() == null || o.tpotNs() >= 0 && o.tpotNs() <= slo.tpotMs() * 1e6)
            && (slo.e2eMs() == null || o.e2eNs() <= slo.e2eMs() * 1e6);
    }

    private boolean recordEvent(final BenchmarkCell cell, final String runId, final RequestOutcome o,
                                final Map<String, Double> scores) {
        final Event e = event.reset().timestampMs(o.startEpochMs()).model(cell.model()).operation(cell.target().api().wireName())
            .provider(cell.target().name()).run(runId)
            .config(cell.configuration().name()).latencyNs(Math.max(0, Math.min(Event.MAX_DURATION_NS, o.e2eNs())))
            .status(o.status());
        if (o.ttftNs() >= 0) {
            e.ttftNs(Math.min(Event.MAX_DURATION_NS, o.ttftNs()));
        }
        if (o.scheduleLagNs() > 0) {
            e.queueWaitNs(Math.min(Event.MAX_DURATION_NS, o.scheduleLagNs()));
        }
        if (o.promptTokens() >= 0) {
            e.promptTokens(o.promptTokens());
        }
        if (o.completionTokens() >= 0) {
            e.completionTokens(o.completionTokens());
        }
        if (o.errorType() != null) {
            e.errorType(o.errorType());
        }
        for (final Map.Entry<String, Double> s : scores.entrySet()) {
            e.quality(s.getKey(), s.getValue());
        }
        return sink.record(runId, e);
    }
}
