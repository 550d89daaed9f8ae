package dev.ringmeter.bench.http;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP load against a running Ringmeter server on 127.0.0.1 (docs/performance-http.md gives the figures):
 * <ul>
 *   <li>{@code single}: one event per POST at a constant rate, open loop, corrected for coordinated omission
 *   ({@link OpenLoopRunner}); ingest latency percentiles beside GET /health at the same rate;</li>
 *   <li>{@code batch}: NDJSON batches from N connections in a closed loop, as fast as the server acknowledges
 *   them: events/s acknowledged (202), requests/s, latency per request, refusals (429, 503);</li>
 *   <li>{@code query}: fills the server with M events over the last hour, then times sequential GET
 *   /api/v1/analytics (one model, all models) beside GET /health;</li>
 *   <li>{@code steady}: fills every tier of N models (one event per model every 20 s over 23 hours, every second
 *   over the last 10 minutes, so that a snapshot is large), then POSTs NDJSON batches at a constant rate, open
 *   loop like {@code single}, while another thread scrapes GET /metrics every {@code --scrape-ms} (0: not at
 *   all): the acknowledgement latency under snapshots and scrapes;</li>
 *   <li>{@code otlp}: the {@code batch} loop three times in one run, the same model calls as NDJSON events, as
 *   OTLP protobuf spans (POST /v1/traces) and as OTLP JSON spans: events/s beside spans/s.</li>
 * </ul>
 * Run: {@code java -cp bench/target/benchmarks.jar dev.ringmeter.bench.http.HttpLoadGenerator MODE [--url
 * http://127.0.0.1:8080] [--rate 1000] [--seconds 30] [--warmup 5] [--batch 1000] [--connections 16 for single,
 * 4 for batch and query] [--events 10000000] [--requests 2000] [--models 10] [--scrape-ms 0] [--questdb-url http://127.0.0.1:9000] [--rounds 2]};
 * bench/scripts/http-load.sh starts a server and runs the modes.
 * <p>
 * It only ever sends to 127.0.0.1, and every loop is bounded in count and in time.
 */
public final class HttpLoadGenerator {
    private static final PrintStream OUT = System.out;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final long QUERY_DEADLINE_MINUTES = 10;
    private static final long FILL_DEADLINE_MINUTES = 30;
    private static final int FILL_ATTEMPTS = 5;
    private static final long HOUR_MS = TimeUnit.HOURS.toMillis(1);
    private static final Pattern COUNT = Pattern.compile("\"count\"\\s*:\\s*(\\d+)");

    private final String baseUrl;
    private final int ratePerSecond;
    private final int seconds;
    private final int warmupSeconds;
    private final int batch;
    private final int connections;
    private final long events;
    private final int requests;
    private final int models;
    private final int scrapeMs;
    private final String questDbUrl;
    private final int rounds;
    /** HTTP/1.1 (keep-alive; no h2c upgrade), the default executor. */
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    private HttpLoadGenerator(final Options o) {
        this.baseUrl = o.url;
        this.ratePerSecond = o.rate;
        this.seconds = o.seconds;
        this.warmupSeconds = o.warmup;
        this.batch = o.batch;
        this.connections = o.connections > 0 ? o.connections
            : o.mode.equals("single") || o.mode.equals("steady") ? 16 : 4;
        this.events = o.events;
        this.requests = o.requests;
        this.models = o.models;
        this.scrapeMs = o.scrapeMs;
        this.questDbUrl = o.questDbUrl;
        this.rounds = o.rounds;
    }

    /**
     * @param args MODE (single, batch, query or steady) and options; see the class comment.
     * @throws Exception if the server cannot be reached.
     */
    public static void main(final String[] args) throws Exception {
        final Options o;
        try {
            o = Options.parse(args);
        } catch (final IllegalArgumentException e) {
            System.err.println("http-load: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        final HttpLoadGenerator load = new HttpLoadGenerator(o);
        load.requireReady();
        OUT.printf(Locale.ROOT, "# %s against %s; %d cores (shared with the server), JDK %s%n", o.mode, o.url,
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        switch (o.mode) {
            case "single":
                load.single();
                break;
            case "batch":
                load.batch();
                break;
            case "query":
                load.query();
                break;
            case "steady":
                load.steady();
                break;
            case "otlp":
                load.otlp();
                break;
            case "questdb":
                load.questDb();
                break;
            default:
                throw new IllegalStateException(o.mode);
        }
        System.exit(0);   // the HttpClient's threads would keep the JVM alive a little longer
    }

    private void requireReady() throws IOException, InterruptedException {
        final HttpResponse<String> r = client.send(get("/ready"), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /ready answered " + r.statusCode() + ": " + r.body());
        }
    }

    // ---------------------------------------------------------------------------------------------------- single

    private void single() throws InterruptedException {
        OUT.printf(Locale.ROOT, "%n== single: one event per POST (a JSON array of one), %,d requests/s open loop "
            + "over at most %d connections (latency from each request's due time), %d s warm-up at the rate + "
            + "%d s measured; baseline GET /health at the same rate, before and after ==%n", ratePerSecond, connections,
            warmupSeconds, seconds);
        final HttpRequest health = get("/health");
        final HttpRequest[] posts = new HttpRequest[1024];
        final EventBodies bodies = new EventBodies(1);
        for (int i = 0; i < posts.length; i++) {
            posts[i] = post(bodies.singleEventArray(i % EventBodies.MODELS), "application/json");
        }
        warmUpClosedLoop(health, posts);
        final OpenLoopRunner runner = new OpenLoopRunner(client, ratePerSecond, warmupSeconds, seconds, connections);
        final LatencyReport before = runner.run("GET /health (before)", i -> health);
        final double beforeLagMs = runner.maxSendLagMs();
        final LatencyReport ingest = runner.run("POST /api/v1/events (1 event)", i -> posts[(int)(i & 1023)]);
        final double ingestLagMs = runner.maxSendLagMs();
        final int ingestUnfinished = runner.unfinished();
        // the baseline of the ratios: /health after the events, when both JVMs are as warm as for the events
        final LatencyReport baseline = runner.run("GET /health (after)", i -> health);
        final double baselineLagMs = runner.maxSendLagMs();

        LatencyReport.header(OUT);
        before.row(OUT);
        ingest.row(OUT);
        baseline.row(OUT);
        ingest.ratioRow(OUT, "ratio events / health (after)", baseline);
        OUT.printf(Locale.ROOT, "  achieved: /health %,.0f replies/s (200), events %,.0f events/s acknowledged "
                + "(202) of %,d/s scheduled%n", baseline.status(200) / (double)seconds,
            ingest.status(202) / (double)seconds, ratePerSecond);
        OUT.printf(Locale.ROOT, "  client: largest send lag behind schedule /health before %.3f ms, events %.3f ms, "
            + "/health after %.3f ms; events unfinished at the end %d%n", beforeLagMs, ingestLagMs, baselineLagMs,
            ingestUnfinished);
        final double p95 = ingest.percentileMs(95);
        final double p99 = ingest.percentileMs(99);
        OUT.printf(Locale.ROOT, "  floor P95 < 100 ms: %s (%.3f ms); target P99 < 10 ms: %s; aim P99 < 1 ms: %s "
                + "(%.3f ms)%n", p95 < 100 ? "PASS" : "FAIL", p95, p99 < 10 ? "PASS" : "FAIL",
            p99 < 1 ? "PASS" : "MISS", p99);
    }

    /**
     * Warms up both JVMs (the JDK client's code is as cold as the server's) in a closed loop, as fast as the server
     * replies, for the warm-up time: without it, an open loop that starts cold falls behind its schedule in the first
     * seconds on two shared cores and carries that backlog, rightly counted, through the whole measurement.
     */
    private void warmUpClosedLoop(final HttpRequest health, final HttpRequest[] posts) throws InterruptedException {
        final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, warmupSeconds));
        final LongAdder sent = new LongAdder();
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            threads.add(new Thread(() -> {
                for (int i = 0; System.nanoTime() < endNs; i++) {
                    try {
                        client.send((i & 1) == 0 ? health : posts[i & 1023], HttpResponse.BodyHandlers.discarding());
                        sent.increment();
                    } catch (final IOException e) {
                        pause(20);
                    } catch (final InterruptedException e) {
                        return;
                    }
                }
            }, "http-load-warmup-" + t));
        }
        threads.forEach(Thread::start);
        joinAll(threads, TimeUnit.SECONDS.toMillis(warmupSeconds) + REQUEST_TIMEOUT.toMillis() + 5_000);
        OUT.printf(Locale.ROOT, "  closed-loop warm-up of client and server: %,d requests (GET /health and POST one "
            + "event, alternately, 2 connections) in %d s%n", sent.sum(), Math.max(1, warmupSeconds));
    }

    // ----------------------------------------------------------------------------------------------------- batch

    private void batch() throws InterruptedException {
        OUT.printf(Locale.ROOT, "%n== batch: %,d events per POST (NDJSON, server-stamped), %d connections in a "
            + "closed loop, %d s warm-up + %d s measured ==%n", batch, connections, warmupSeconds, seconds);
        final EventBodies bodies = new EventBodies(2);
        LatencyReport.header(OUT);
        closedLoop("POST /api/v1/events (" + batch + " events)", "/api/v1/events", "application/x-ndjson", 202,
            "events", i -> bodies.ndjson(batch, i, 0, 0));
    }

    // ------------------------------------------------------------------------------------------------------ otlp

    /**
     * The batch mode's closed loop three times in one run, each with {@code --batch} model calls per POST: as NDJSON
     * events to /api/v1/events, then as the GenAI spans of an OTLP trace export to /v1/traces in protobuf, then in
     * OTLP JSON; every call a span, so events/s and spans/s compare directly.
     */
    private void otlp() throws InterruptedException {
        OUT.printf(Locale.ROOT, "%n== otlp: %,d model calls per POST as NDJSON events, OTLP protobuf spans and OTLP "
            + "JSON spans, one after another, %d connections in a closed loop, %d s warm-up + %d s measured each ==%n",
            batch, connections, warmupSeconds, seconds);
        final EventBodies bodies = new EventBodies(4);
        LatencyReport.header(OUT);
        closedLoop("POST /api/v1/events (" + batch + " events, NDJSON)", "/api/v1/events", "application/x-ndjson",
            202, "events", i -> bodies.ndjson(batch, i, 0, 0));
        closedLoop("POST /v1/traces (" + batch + " spans, protobuf)", "/v1/traces", "application/x-protobuf", 200,
            "spans", i -> bodies.otlpProtobuf(batch, i));
        closedLoop("POST /v1/traces (" + batch + " spans, OTLP JSON)", "/v1/traces", "application/json", 200,
            "spans", i -> bodies.otlpJson(batch, i));
    }

    // --------------------------------------------------------------------------------------------------- questdb

    /**
     * The batch mode's closed loop against Ringmeter and against QuestDB's ILP over HTTP, alternately, so that both
     * see the same load of the other builds on this machine: the same model calls, batch size and connections.
     */
    private void questDb() throws IOException, InterruptedException {
        OUT.printf(Locale.ROOT, "%n== questdb: %,d model calls per POST, %d connections in a closed loop, %d s warm-up "
            + "+ %d s measured each; Ringmeter (NDJSON, /api/v1/events, 202) and QuestDB %s (ILP, /write, 204) "
            + "alternately, %d rounds ==%n", batch, connections, warmupSeconds, seconds, questDbUrl, rounds);
        final HttpResponse<String> ping = client.send(HttpRequest.newBuilder(URI.create(questDbUrl
            + "/exec?query=select%201")).timeout(REQUEST_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (ping.statusCode() != 200) {
            throw new IllegalStateException("QuestDB at " + questDbUrl + " answered " + ping.statusCode());
        }
        final EventBodies bodies = new EventBodies(2);
        final double[] ours = new double[rounds];
        final double[] theirs = new double[rounds];
        LatencyReport.header(OUT);
        for (int r = 0; r < rounds; r++) {
            ours[r] = closedLoop("Ringmeter POST /api/v1/events (" + batch + " events)", baseUrl, "/api/v1/events",
                "application/x-ndjson", 202, "events", i -> bodies.ndjson(batch, i, 0, 0));
            theirs[r] = closedLoop("QuestDB POST /write (" + batch + " ILP rows)", questDbUrl, "/write",
                "text/plain", 204, "rows", i -> bodies.ilp(batch, i));
        }
        for (int r = 0; r < rounds; r++) {
            OUT.printf(Locale.ROOT, "  round %d: Ringmeter %,.0f events/s, QuestDB %,.0f rows/s, ratio %.2f x%n",
                r + 1, ours[r], theirs[r], ours[r] / Math.max(1, theirs[r]));
        }
        final HttpResponse<String> count = client.send(HttpRequest.newBuilder(URI.create(questDbUrl
            + "/exec?query=select%20count()%20from%20llm_calls")).timeout(REQUEST_TIMEOUT).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        OUT.printf(Locale.ROOT, "  QuestDB rows in llm_calls at the end (its WAL may still be applying): %s%n",
            count.body().replaceAll("\\s+", " "));
    }

    private double closedLoop(final String label, final String path, final String type, final int ok,
                              final String unit, final java.util.function.IntFunction<byte[]> bodyOf)
        throws InterruptedException {
        return closedLoop(label, baseUrl, path, type, ok, unit, bodyOf);
    }

    /**
     * POSTs {@code batch} items per request from N connections in a closed loop, as fast as the server replies:
     * items/s acknowledged, requests/s, latency per request, refusals.
     *
     * @param label    of the report row.
     * @param base     the server's URL, http://127.0.0.1:PORT.
     * @param path     the route.
     * @param type     the body's content type.
     * @param ok       the status of an acknowledgement.
     * @param unit     what an item is, for the summary.
     * @param bodyOf   the i-th of 8 bodies, cycled through.
     * @return items acknowledged per second.
     */
    private double closedLoop(final String label, final String base, final String path, final String type, final int ok,
                            final String unit, final java.util.function.IntFunction<byte[]> bodyOf)
        throws InterruptedException {
        final HttpRequest[] posts = new HttpRequest[8];
        long bodyBytes = 0;
        for (int i = 0; i < posts.length; i++) {
            final byte[] body = bodyOf.apply(i);
            bodyBytes += body.length;
            posts[i] = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        }
        final LatencyReport report = new LatencyReport(label);
        final LongAdder acknowledged = new LongAdder();
        final AtomicLong lastReplyNs = new AtomicLong();
        final long measureFromNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        final long endNs = measureFromNs + TimeUnit.SECONDS.toNanos(seconds);
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < connections; t++) {
            final int first = t;
            threads.add(new Thread(() -> {
                for (int i = first; System.nanoTime() < endNs; i++) {
                    final long startNs = System.nanoTime();
                    final boolean measured = startNs >= measureFromNs;
                    int status = -1;
                    try {
                        status = client.send(posts[i % posts.length], HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                        if (measured) {
                            final long nowNs = System.nanoTime();
                            report.record(nowNs - startNs, status);
                            lastReplyNs.accumulateAndGet(nowNs, Math::max);
                            if (status == ok) {
                                acknowledged.add(batch);
                            }
                        }
                    } catch (final IOException e) {
                        if (measured) {
                            report.failed(e);
                        }
                    } catch (final InterruptedException e) {
                        return;
                    }
                    if (status != ok) {
                        pause(20);   // refused (429, 503) or failed: do not spin
                    }
                }
            }, "http-load-batch-" + t));
        }
        threads.forEach(Thread::start);
        joinAll(threads, TimeUnit.SECONDS.toMillis(warmupSeconds + seconds) + REQUEST_TIMEOUT.toMillis() + 5_000);

        final double elapsedS = Math.max(1, lastReplyNs.get() - measureFromNs) / 1e9;
        report.row(OUT);
        OUT.printf(Locale.ROOT, "  acknowledged: %,.0f %s/s (%,d in %.1f s), %,.1f requests/s; body %,d "
                + "bytes (%.0f B each); refused 429: %d, 503: %d, other: %d, no reply: %d%n",
            acknowledged.sum() / elapsedS, unit, acknowledged.sum(), elapsedS, report.replies() / elapsedS,
            bodyBytes / posts.length, bodyBytes / (double)posts.length / batch, report.status(429),
            report.status(503), report.replies() - report.status(ok) - report.status(429) - report.status(503),
            report.failures());
        return acknowledged.sum() / elapsedS;
    }

    // ----------------------------------------------------------------------------------------------------- query

    private void query() throws IOException, InterruptedException {
        OUT.printf(Locale.ROOT, "%n== query: fill %,d events over the last hour (%d models, %,d per POST, %d "
            + "connections), then %,d sequential rounds of each query after %,d warm-up rounds ==%n", events,
            EventBodies.MODELS, batch, connections, requests, requests / 4);
        fill(events, HOUR_MS, EventBodies.MODELS);

        final String[] paths = {
            "/health",
            "/api/v1/analytics?model=model-3&window=5m",
            "/api/v1/analytics?window=5m",
            "/api/v1/analytics?model=model-3&window=1h",
            "/api/v1/analytics?window=1h",
        };
        final HttpRequest[] gets = new HttpRequest[paths.length];
        final LatencyReport[] reports = new LatencyReport[paths.length];
        final long[] replyBytes = new long[paths.length];
        for (int q = 0; q < paths.length; q++) {
            gets[q] = get(paths[q]);
            reports[q] = new LatencyReport("GET " + paths[q]);
            final HttpResponse<String> r = client.send(gets[q], HttpResponse.BodyHandlers.ofString());
            final Matcher m = COUNT.matcher(r.body());
            OUT.printf(Locale.ROOT, "  GET %s -> %d, %,d bytes%s%n", paths[q], r.statusCode(), r.body().length(),
                m.find() ? ", first count " + m.group(1) : "");
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MINUTES.toNanos(QUERY_DEADLINE_MINUTES);
        final int warmupRounds = requests / 4;
        int rounds = 0;
        for (int round = 0; round < warmupRounds + requests && System.nanoTime() < deadlineNs; round++) {
            for (int q = 0; q < paths.length; q++) {   // interleaved, so that every series sees the same conditions
                final long startNs = System.nanoTime();
                try {
                    final HttpResponse<byte[]> r = client.send(gets[q], HttpResponse.BodyHandlers.ofByteArray());
                    if (round >= warmupRounds) {
                        reports[q].record(System.nanoTime() - startNs, r.statusCode());
                        replyBytes[q] = r.body().length;
                    }
                } catch (final IOException e) {
                    if (round >= warmupRounds) {
                        reports[q].failed(e);
                    }
                }
            }
            rounds = round + 1;
        }
        OUT.printf(Locale.ROOT, "  %,d measured rounds (sequential, one connection, latency per request)%n",
            Math.max(0, rounds - warmupRounds));
        LatencyReport.header(OUT);
        for (final LatencyReport r : reports) {
            r.row(OUT);
        }
        for (int q = 1; q < paths.length; q++) {
            reports[q].ratioRow(OUT, "ratio " + paths[q].substring(paths[q].indexOf('?') + 1) + " / health",
                reports[0]);
        }
        for (int q = 0; q < paths.length; q++) {
            OUT.printf(Locale.ROOT, "  reply of GET %s: %,d bytes%n", paths[q], replyBytes[q]);
        }
    }

    /**
     * Fills the server with events whose timestamps are spread evenly over the span before the fill, the models
     * taking turns: with events = models x spanMs / slotMs, each model gets one event every slotMs.
     *
     * @param events  how many events.
     * @param spanMs  how far back the first timestamp is.
     * @param models  how many distinct models.
     */
    private void fill(final long events, final long spanMs, final int models) throws InterruptedException {
        final long batches = (events + batch - 1) / batch;
        final long spanStartMs = System.currentTimeMillis() - spanMs;
        final long stepMsTimes1000 = spanMs * 1000 / events;
        final AtomicLong next = new AtomicLong();
        final LongAdder acknowledged = new LongAdder();
        final LatencyReport report = new LatencyReport("fill POST /api/v1/events (" + batch + " events)");
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + TimeUnit.MINUTES.toNanos(FILL_DEADLINE_MINUTES);
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < connections; t++) {
            final EventBodies bodies = new EventBodies(100 + t, models);
            threads.add(new Thread(() -> {
                long k;
                while ((k = next.getAndIncrement()) < batches && System.nanoTime() < deadlineNs) {
                    final long first = k * batch;
                    final int count = (int)Math.min(batch, events - first);
                    final HttpRequest request = post(bodies.ndjson(count, (int)(first % models),
                        spanStartMs + first * stepMsTimes1000 / 1000, stepMsTimes1000), "application/x-ndjson");
                    for (int attempt = 1; attempt <= FILL_ATTEMPTS; attempt++) {
                        final long sentNs = System.nanoTime();
                        try {
                            final int status = client.send(request, HttpResponse.BodyHandlers.discarding())
                                .statusCode();
                            report.record(System.nanoTime() - sentNs, status);
                            if (status == 202) {
                                acknowledged.add(count);
                                break;
                            }
                            if (status != 429 && status != 503) {
                                break;   // refused for good (e.g. 422 past the model limit): retrying cannot help
                            }
                        } catch (final IOException e) {
                            report.failed(e);
                        } catch (final InterruptedException e) {
                            return;
                        }
                        pause(100L * attempt);
                    }
                }
            }, "http-load-fill-" + t));
        }
        threads.forEach(Thread::start);
        joinAll(threads, TimeUnit.MINUTES.toMillis(FILL_DEADLINE_MINUTES) + REQUEST_TIMEOUT.toMillis() + 5_000);
        final double fillS = (System.nanoTime() - startNs) / 1e9;
        OUT.printf(Locale.ROOT, "  filled %,d of %,d events in %.1f s: %,.0f events/s acknowledged; per request "
                + "p50 %.1f ms, p99 %.1f ms, max %.1f ms; outcomes %s%n", acknowledged.sum(), events, fillS,
            acknowledged.sum() / fillS, report.percentileMs(50), report.percentileMs(99), report.maxMs(),
            report.outcomes());
        if (acknowledged.sum() < events) {
            OUT.println("  WARNING: the fill is incomplete; the figures below are over fewer events");
        }
    }

    // ---------------------------------------------------------------------------------------------------- steady

    private void steady() throws InterruptedException {
        OUT.printf(Locale.ROOT, "%n== steady: fill every tier of %d models, then %,d events per POST (NDJSON, "
            + "server-stamped) at %,d requests/s open loop over at most %d connections (latency from each request's "
            + "due time), %d s warm-up + %d s measured; GET /metrics every %s ==%n", models, batch, ratePerSecond,
            connections, warmupSeconds, seconds, scrapeMs == 0 ? "(never)" : scrapeMs + " ms");
        final long slowSlotMs = TimeUnit.SECONDS.toMillis(20);
        final long slowSpanMs = TimeUnit.HOURS.toMillis(23);   // within the default 24 hours of retention
        final long fastSpanMs = TimeUnit.MINUTES.toMillis(10);
        fill(models * (slowSpanMs / slowSlotMs), slowSpanMs, models);   // every 1-min and 1-h bucket of every model
        fill(models * (fastSpanMs / 1_000), fastSpanMs, models);         // every 1-s and 10-s bucket

        final HttpRequest health = get("/health");
        final HttpRequest[] posts = new HttpRequest[1024];
        final EventBodies bodies = new EventBodies(3, models);
        for (int i = 0; i < posts.length; i++) {
            posts[i] = post(bodies.ndjson(batch, (int)((long)i * batch % models), 0, 0), "application/x-ndjson");
        }
        warmUpClosedLoop(health, posts);
        final LatencyReport scrapes = new LatencyReport("GET /metrics (every " + scrapeMs + " ms)");
        final AtomicBoolean scraping = new AtomicBoolean(scrapeMs > 0);
        final Thread scraper = new Thread(() -> scrape(scrapes, scraping), "http-load-scrape");
        scraper.start();
        final OpenLoopRunner runner = new OpenLoopRunner(client, ratePerSecond, warmupSeconds, seconds, connections);
        final LatencyReport ingest = runner.run("POST /api/v1/events (" + batch + " events)",
            i -> posts[(int)(i & 1023)]);
        scraping.set(false);
        scraper.join(REQUEST_TIMEOUT.toMillis() + 5_000);

        LatencyReport.header(OUT);
        ingest.row(OUT);
        if (scrapeMs > 0) {
            scrapes.row(OUT);
        }
        OUT.printf(Locale.ROOT, "  achieved: %,.0f events/s acknowledged (202) of %,d/s scheduled; outcomes %s; "
                + "/metrics replies %,d; largest send lag %.3f ms; unfinished %d%n",
            ingest.status(202) * (double)batch / seconds, (long)ratePerSecond * batch, ingest.outcomes(),
            scrapes.replies(), runner.maxSendLagMs(), runner.unfinished());
    }

    /** GETs /metrics (whole body read) every {@link #scrapeMs} while {@code scraping} holds, one at a time. */
    private void scrape(final LatencyReport report, final AtomicBoolean scraping) {
        final HttpRequest metrics = get("/metrics");
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds + seconds + 60L);
        while (scraping.get() && System.nanoTime() < deadlineNs) {
            final long startNs = System.nanoTime();
            try {
                final int status = client.send(metrics, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
                report.record(System.nanoTime() - startNs, status);
            } catch (final IOException e) {
                report.failed(e);
            } catch (final InterruptedException e) {
                return;
            }
            pause(scrapeMs);
        }
    }

    // --------------------------------------------------------------------------------------------------- helpers

    private HttpRequest get(final String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(REQUEST_TIMEOUT).GET().build();
    }

    private HttpRequest post(final byte[] body, final String contentType) {
        return post("/api/v1/events", body, contentType);
    }

    private HttpRequest post(final String path, final byte[] body, final String contentType) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(REQUEST_TIMEOUT)
            .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static void pause(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinAll(final List<Thread> threads, final long timeoutMs) throws InterruptedException {
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        for (final Thread t : threads) {
            t.join(Math.max(1, deadlineMs - System.currentTimeMillis()));
        }
        for (final Thread t : threads) {
            if (t.isAlive()) {
                t.interrupt();
                OUT.println("  WARNING: " + t.getName() + " did not finish in time and was interrupted");
            }
        }
    }

    /** The command line. */
    private static final class Options {
        static final String USAGE = "usage: HttpLoadGenerator single|batch|query|steady|otlp|questdb "
            + "[--url http://127.0.0.1:8080] "
            + "[--rate 1000] [--seconds 30] [--warmup 5] [--batch 1000] [--connections 16 (single), 4] "
            + "[--events 10000000] "
            + "[--requests 2000] [--models 10 (steady)] [--scrape-ms 0 (steady)] "
            + "[--questdb-url http://127.0.0.1:9000 (questdb)] [--rounds 2 (questdb)]";

        String mode;
        String url = "http://127.0.0.1:8080";
        int rate = 1_000;
        int seconds = 30;
        int warmup = 5;
        int batch = 1_000;
        int connections;   // 0: the mode's default, 16 for single, 4 for batch and query
        long events = 10_000_000;
        int requests = 2_000;
        int models = EventBodies.MODELS;
        int scrapeMs;   // 0: no scraping
        String questDbUrl = "http://127.0.0.1:9000";
        int rounds = 2;

        static Options parse(final String[] args) {
            if (args.length == 0) {
                throw new IllegalArgumentException("no mode given");
            }
            final Options o = new Options();
            o.mode = args[0];
            if (!o.mode.equals("single") && !o.mode.equals("batch") && !o.mode.equals("query")
                && !o.mode.equals("steady") && !o.mode.equals("otlp") && !o.mode.equals("questdb")) {
                throw new IllegalArgumentException("unknown mode " + o.mode);
            }
            for (int i = 1; i < args.length; i++) {
                String flag = args[i];
                String value;
                final int eq = flag.indexOf('=');
                if (eq > 0) {
                    value = flag.substring(eq + 1);
                    flag = flag.substring(0, eq);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                switch (flag) {
                    case "--url":
                        o.url = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
                        break;
                    case "--rate":
                        o.rate = number(flag, value, 1, 1_000_000);
                        break;
                    case "--seconds":
                        o.seconds = number(flag, value, 1, 3_600);
                        break;
                    case "--warmup":
                        o.warmup = number(flag, value, 0, 600);
                        break;
                    case "--batch":
                        o.batch = number(flag, value, 1, 10_000);
                        break;
                    case "--connections":
                        o.connections = number(flag, value, 1, 64);
                        break;
                    case "--events":
                        o.events = number(flag, value, 1, 100_000_000);
                        break;
                    case "--requests":
                        o.requests = number(flag, value, 1, 1_000_000);
                        break;
                    case "--models":
                        o.models = number(flag, value, 1, 1_000);
                        break;
                    case "--scrape-ms":
                        o.scrapeMs = number(flag, value, 0, 60_000);
                        break;
                    case "--questdb-url":
                        o.questDbUrl = loopback(flag, value);
                        break;
                    case "--rounds":
                        o.rounds = number(flag, value, 1, 20);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            loopback("--url", o.url);
            return o;
        }

        /** @return the URL, if it is http://127.0.0.1:PORT with no path: this tool only sends to the loopback. */
        private static String loopback(final String flag, final String value) {
            final String url = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
            final URI uri = URI.create(url);
            if (!"http".equals(uri.getScheme()) || !"127.0.0.1".equals(uri.getHost()) || uri.getPort() <= 0
                || (uri.getPath() != null && !uri.getPath().isEmpty())) {
                throw new IllegalArgumentException(flag + " must be http://127.0.0.1:PORT (this tool only sends to "
                    + "the loopback address), not " + value);
            }
            return url;
        }

        private static int number(final String flag, final String value, final int min, final int max) {
            final int n;
            try {
                n = Integer.parseInt(value.replace("_", "").replace(",", ""));
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException(flag + " must be a whole number, not " + value);
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException(flag + " must be " + min + " to " + max);
            }
            return n;
        }
    }
}
