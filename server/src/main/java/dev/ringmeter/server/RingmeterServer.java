package dev.ringmeter.server;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.HeapBudget;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.report.ReportSchedule;
import dev.ringmeter.core.watch.alert.DeliverySettings;
import dev.ringmeter.otlp.export.OtlpMetricsExport;
import dev.ringmeter.server.alert.AlertController;
import dev.ringmeter.server.benchmark.LlmBenchmarkController;
import dev.ringmeter.server.benchmark.LlmBenchmarks;
import dev.ringmeter.server.cluster.ClusterNode;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.BearerAuth;
import dev.ringmeter.server.http.ErrorReplies;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.server.http.SessionController;
import dev.ringmeter.server.http.Sessions;
import dev.ringmeter.server.ingest.IngestController;
import dev.ringmeter.server.ingest.IngestGate;
import dev.ringmeter.server.ingest.IngestService;
import dev.ringmeter.server.ingest.PricesController;
import dev.ringmeter.server.ingest.PricingController;
import dev.ringmeter.server.live.LiveFeed;
import dev.ringmeter.server.llmbench.StoreSink;
import dev.ringmeter.server.ops.OpsController;
import dev.ringmeter.server.otlp.OtlpReceiver;
import dev.ringmeter.server.query.CompareController;
import dev.ringmeter.server.query.ExportController;
import dev.ringmeter.server.query.AnomalyController;
import dev.ringmeter.server.query.HealthController;
import dev.ringmeter.server.query.QueryController;
import dev.ringmeter.server.query.ReportController;
import dev.ringmeter.server.query.TrendController;
import dev.ringmeter.server.run.RunController;
import dev.ringmeter.server.query.ScanCounters;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.router.ParsedEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Ringmeter server: an {@link EmbeddedStore} behind a Javalin 7 HTTP API. {@link #start(ServerConfig)} starts
 * HTTP first (so /health answers at once and /ready says 503 while the store opens), then opens the store, then
 * marks the server ready. {@link #close()} stops taking requests, drains what the store holds and closes it.
 * <p>
 * Threading: start and close from one thread; the routes run on Jetty's request threads.
 */
public final class RingmeterServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RingmeterServer.class);

    private final ServerConfig config;
    private final StoreHolder holder = new StoreHolder();
    private final IngestService ingest;
    private ClusterNode cluster;
    private final Javalin app;
    private final LiveFeed live;
    private final LlmBenchmarks benchmarks;
    private final long startTimeMs;
    private EmbeddedStore store;
    private ReportSchedule reportSchedule;
    private OtlpMetricsExport otlpExport;
    private boolean closed;

    private RingmeterServer(final ServerConfig config) {
        this.config = config;
        this.startTimeMs = config.clock().time();
        final IngestGate gate = new IngestGate(config.maxInFlight());
        this.ingest = new IngestService(holder, gate, config);
        final IngestController ingestController = new IngestController(ingest);
        final ScanCounters scans = new ScanCounters();
        final QueryController query = new QueryController(holder, config.scanTimeoutMs(), scans);
        final CompareController compare = new CompareController(holder, config.scanTimeoutMs(), scans);
        final ReportController reports = new ReportController(holder, config.scanTimeoutMs(), scans);
        final ExportController exports = new ExportController(holder);
        final TrendController trends = new TrendController(holder);
        final HealthController health = new HealthController(holder);
        final AnomalyController anomalies = new AnomalyController(holder);
        final PricingController pricing = new PricingController(holder, ingest, config);
        final PricesController prices = new PricesController(holder, ingest, config);
        final RunController runs = new RunController(holder, config);
        final AlertController alerts = new AlertController(holder, config);
        final OpsController ops = new OpsController(holder, gate, scans, config.clock(), startTimeMs);
        final ErrorReplies errors = new ErrorReplies();
        final Sessions sessions = new Sessions(config.clock(), config.sessionTtlMs());
        final BearerAuth auth = config.token() == null ? null : new BearerAuth(config.token(), sessions);
        final SessionController session = new SessionController(auth, sessions);
        this.live = new LiveFeed(holder, config.maxLiveClients());
        final OtlpReceiver otlp = new OtlpReceiver(ingest, gate, config);
        this.benchmarks = new LlmBenchmarks(LlmBenchmarks.DEFAULT_MAX_RUNNING, LlmBenchmarks.DEFAULT_MAX_KEPT,
            () -> new StoreSink(holder.get().store));
        final LlmBenchmarkController llmBenchmarks = new LlmBenchmarkController(benchmarks,
            config.bodyTimeoutMs(), Math.min(LlmBenchmarkController.MAX_BODY_BYTES, config.maxBodyBytes()));

        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.startup.startupWatcherEnabled = false;
            c.http.maxRequestSize = config.maxBodyBytes();
            c.http.defaultContentType = Json.APPLICATION_JSON;
            c.jetty.host = config.bind();
            c.jetty.port = config.port();
            c.jetty.modifyHttpConfiguration(http -> http.setSendServerVersion(false));
            dashboard(c);

            if (auth != null) {
                c.routes.before("/api/v1/*", auth::check);
                c.routes.before("/metrics", auth::check);
                c.routes.before("/v1/*", auth::check);
            }
            c.routes.post("/api/v1/events", ingestController::events);
            c.routes.post("/api/v1/metrics", ingestController::metrics);
            c.routes.get("/api/v1/metrics", query::customMetrics);
            c.routes.get("/api/v1/analytics", query::analytics);
            c.routes.get("/api/v1/series", query::series);
            c.routes.get("/api/v1/trends", trends::trends);
            c.routes.get("/api/v1/health/models", health::models);
            c.routes.get("/api/v1/anomalies", anomalies::anomalies);
            c.routes.get("/api/v1/compare", compare::compare);
            c.routes.get("/api/v1/export", exports::export);
            c.routes.get("/api/v1/export/training", exports::training);
            c.routes.get("/api/v1/export/table", exports::table);
            c.routes.get("/api/v1/best", compare::best);
            c.routes.get("/api/v1/report", reports::report);
            c.routes.get("/api/v1/models", query::models);
            c.routes.get("/api/v1/models/{model}/recent", query::recent);
            c.routes.get("/api/v1/pricing", pricing::getAll);
            c.routes.put("/api/v1/pricing", pricing::putAll);
            c.routes.get("/api/v1/pricing/{model}", pricing::getOne);
            c.routes.put("/api/v1/pricing/{model}", pricing::putOne);
            c.routes.get("/api/v1/prices", prices::list);
            c.routes.post("/api/v1/prices", prices::add);
            c.routes.get("/api/v1/prices/resolve", prices::resolve);
            c.routes.post("/api/v1/prices/recompute", prices::recompute);
            c.routes.delete("/api/v1/prices/{id}", prices::remove);
            c.routes.post("/api/v1/runs", runs::create);
            c.routes.get("/api/v1/runs", runs::list);
            c.routes.get("/api/v1/runs/compare", runs::compare);
            c.routes.get("/api/v1/runs/{id}", runs::get);
            c.routes.patch("/api/v1/runs/{id}", runs::update);
            c.routes.post("/api/v1/runs/{id}/finish", runs::finish);
            c.routes.post("/api/v1/llm-benchmarks", llmBenchmarks::start);
            c.routes.get("/api/v1/llm-benchmarks", llmBenchmarks::list);
            c.routes.get("/api/v1/llm-benchmarks/{id}", llmBenchmarks::get);
            c.routes.post("/api/v1/llm-benchmarks/{id}/cancel", llmBenchmarks::cancel);
            c.routes.post("/api/v1/alerts/rules", alerts::create);
            c.routes.get("/api/v1/alerts/rules", alerts::listRules);
            c.routes.get("/api/v1/alerts/rules/{id}", alerts::getRule);
            c.routes.put("/api/v1/alerts/rules/{id}", alerts::replace);
            c.routes.delete("/api/v1/alerts/rules/{id}", alerts::deleteRule);
            c.routes.get("/api/v1/alerts", alerts::active);
            c.routes.get("/api/v1/alerts/history", alerts::history);
            c.routes.get("/api/v1/alerts/silences", alerts::listSilences);
            c.routes.post("/api/v1/alerts/silences", alerts::createSilence);
            c.routes.delete("/api/v1/alerts/silences/{id}", alerts::deleteSilence);
            c.routes.get("/api/v1/system", ops::system);
            c.routes.post("/api/v1/session", session::create);
            c.routes.get("/api/v1/session", session::get);
            c.routes.delete("/api/v1/session", session::delete);
            c.routes.get("/api/v1/live", live::stream);
            c.routes.get("/api/v1/openapi.yaml", ops::openApi);
            c.routes.get("/health", ops::health);
            c.routes.get("/ready", ops::ready);
            c.routes.get("/metrics", ops::metrics);
            c.routes.post("/v1/traces", otlp::traces);
            c.routes.post("/v1/metrics", otlp::metrics);

            c.routes.exception(ApiException.class, errors::api);
            c.routes.exception(HttpResponseException.class, errors::http);
            c.routes.exception(Exception.class, errors::unexpected);
        });
    }

    /** The dashboard's files: a revalidated copy (ETag / Last-Modified), since they change with the jar. */
    private static final Map<String, String> DASHBOARD_HEADERS = Map.of("Cache-Control", "no-cache");

    /**
     * Serves the dashboard (docs/dashboard.md): {@code /} is {@code dashboard/index.html} from the classpath, the rest
     * of that directory is under {@code /dashboard/}, and WebJars (uPlot) under {@code /webjars/}, versioned, so
     * cached long. These paths hold no data and stay public; the page fetches its data from /api/v1, behind the token.
     */
    private static void dashboard(final io.javalin.config.JavalinConfig c) {
        c.staticFiles.add(sf -> {
            sf.hostedPath = "/";
            sf.directory = "/dashboard";
            sf.location = Location.CLASSPATH;
            sf.headers = DASHBOARD_HEADERS;
            sf.skipFileFunction = request -> !"/".equals(request.getRequestURI())
                && !"/index.html".equals(request.getRequestURI());
        });
        c.staticFiles.add(sf -> {
            sf.hostedPath = "/dashboard";
            sf.directory = "/dashboard";
            sf.location = Location.CLASSPATH;
            sf.headers = DASHBOARD_HEADERS;
        });
        c.staticFiles.enableWebjars();
    }

    /**
     * Starts the server: HTTP, then the store.
     *
     * @param config the options, concluded.
     * @return the running server.
     */
    public static RingmeterServer start(final ServerConfig config) {
        config.conclude();
        final RingmeterServer server = new RingmeterServer(config);
        try {
            server.startHttp();
            server.openStore();
        } catch (final RuntimeException | Error e) {
            server.close();   // stop Jetty's threads, or a failed start would leave the process hanging
            throw e;
        }
        return server;
    }

    private void startHttp() {
        LOG.info("event=starting {}", config);
        app.start();
        live.start();
        LOG.info("event=listening url=http://{}:{}/ port={}", config.bind(), port(), port());
        if (config.token() == null && !isLoopback(config.bind())) {
            LOG.warn("event=insecure bind={} reason=\"no --token set while listening beyond loopback\"",
                config.bind());
        }
    }

    private void openStore() {
        final long t0 = System.nanoTime();
        final StoreConfig storeConfig = new StoreConfig()
            .dataDirectory(config.cluster() == null ? config.dataDirectory() : null)   // a node: Kafka is the journal
            .clock(config.clock())
            .shutdownHook(false)   // the server's own hook stops HTTP first, then closes the store
            .retentionHours(config.retentionHours())
            .ringSize(config.ringSize())
            .maxStringLength(config.maxStringLength())
            .heapShare(config.heapShare())
            .maxRuns(config.maxRuns())
            .journalSync(config.fsync())
            .snapshotIntervalMs(config.snapshotIntervalMs())
            .systemSampleIntervalMs(config.systemSampleMs())
            .anomalyDetection(config.anomalyDetection()).anomalyIntervalMs(config.anomalyIntervalMs())
            .alertEvaluationIntervalMs(config.alertEvalMs())
            .gpuCommand(config.gpuCommand())
            .sampling(config.sampling()).anonymization(config.anonymization()).hashKey(config.hashKey())
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK)
            .blockTimeoutMs(config.flushTimeoutMs());
        config.limits().forEach(storeConfig::cardinalityLimit);
        store = EmbeddedStore.open(storeConfig);
        final HeapBudget budget = store.config().heapBudget();
        if (budget.exceeded()) {
            LOG.warn("event=limits {}", budget);
        } else {
            LOG.info("event=limits {}", budget);
        }
        if (config.cluster() != null) {   // before the store serves: no batch may be recorded here rather than produced
            createDirectory(config.dataDirectory());   // for the server file alone
            cluster = ClusterNode.start(config, ingest);
        }
        holder.set(new StoreContext(store));
        if (config.reportEveryMs() > 0) {
            reportSchedule = new ReportSchedule(store, config.reportEveryMs(), config.reportDirectory(),
                config.reportWebhook(), DeliverySettings.DEFAULTS);
            reportSchedule.start();
            LOG.info("event=report-schedule everyMs={} dir={} webhook={}", config.reportEveryMs(),
                config.reportDirectory(), config.reportWebhook());
        }
        if (config.otlpExport() != null) {
            final OtlpMetricsExport.Builder b = OtlpMetricsExport.builder(store, config.otlpExport())
                .interval(java.time.Duration.ofMillis(config.otlpExportIntervalMs()))
                .cumulative(config.otlpExportCumulative());
            config.otlpExportHeaders().forEach(b::header);
            otlpExport = b.build().start();
            LOG.info("event=otlp-export url={} intervalMs={} cumulative={}", config.otlpExport(),
                config.otlpExportIntervalMs(), config.otlpExportCumulative());
        }
        ServerFile.write(config.dataDirectory(), config.bind(), port());
        LOG.info("event=ready port={} data={} storeOpenMs={}", port(), config.dataDirectory(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    private static void createDirectory(final java.nio.file.Path directory) {
        try {
            java.nio.file.Files.createDirectories(directory);
        } catch (final java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + directory, e);
        }
    }

    private static boolean isLoopback(final String bind) {
        return bind.equals("127.0.0.1") || bind.equals("localhost") || bind.equals("::1") || bind.startsWith("127.");
    }

    /**
     * @return the port the server listens on (the one picked when configured with 0).
     */
    public int port() {
        return app.port();
    }

    /**
     * @return every route the app serves, as its method and path ({@code "GET /api/v1/models/{model}/recent"}),
     * read from Javalin's router; before-filters (the token check) are not routes and are left out.
     */
    List<String> routes() {
        final List<String> routes = new ArrayList<>();
        for (final ParsedEndpoint e : app.unsafe.internalRouter.allHttpHandlers()) {
            if (e.endpoint.method.isHttpMethod()) {
                routes.add(e.endpoint.method.name() + " " + e.endpoint.path);
            }
        }
        return routes;
    }

    /**
     * @return the store, or null until it is open.
     */
    EmbeddedStore store() {
        return store;
    }

    /**
     * @return the live stream.
     */
    LiveFeed live() {
        return live;
    }

    /**
     * @return the options the server runs with.
     */
    public ServerConfig config() {
        return config;
    }

    /**
     * Stops taking requests, then drains and closes the store. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("event=stopping");
        holder.set(null);
        live.close();   // ends the streams, which would otherwise hold their request threads past the stop
        try {
            app.stop();
        } catch (final RuntimeException e) {
            LOG.error("event=error stage=http-stop", e);
        }
        if (reportSchedule != null) {
            reportSchedule.close();
        }
        benchmarks.close();   // cancels the running ones; their runs are finished before the store closes
        if (cluster != null) {
            cluster.close();   // no request produces any more; the consumer stops before the store closes
        }
        if (otlpExport != null) {
            otlpExport.close();   // pushes what closed since its last export, while the store is still open
        }
        if (store != null) {
            ServerFile.remove(config.dataDirectory());   // nobody listens any more; removed while the lock is held
            try {
                store.flush(config.flushTimeoutMs(), TimeUnit.MILLISECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            store.close();
        }
        LOG.info("event=stopped");
    }
}
