package dev.ringmeter.server;

import dev.ringmeter.core.HeapBudget;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.report.ReportSchedule;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.QueryParams;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every option of the server, with its default, from command-line flags ({@code --port 8080} or
 * {@code --port=8080}), environment variables ({@code RINGMETER_PORT}) or fluent setters; a flag wins over the
 * environment. Validated once by {@link #conclude()}. docs/server.md lists the same options.
 * <p>
 * Threading: fill on one thread, then hand to {@link RingmeterServer#start(ServerConfig)}; do not change it
 * afterwards. {@link #toString()} never shows the token, the OTLP export's headers or the user part of its URL.
 */
public final class ServerConfig {
    /** The options, in the order {@code --help} lists them: flag, environment variable, default, meaning. */
    private static final String[][] OPTIONS = {
        {"--port", "RINGMETER_PORT", "8080", "TCP port to listen on; 0 picks a free one (logged at start)"},
        {"--bind", "RINGMETER_BIND", "127.0.0.1", "address to bind; 0.0.0.0 listens on every interface"},
        {"--data", "RINGMETER_DATA", "./data", "data directory of the store (journal and snapshots)"},
        {"--token", "RINGMETER_TOKEN", "(none)",
            "bearer token required on /api/v1/*, /v1/* (OTLP) and /metrics; prefer the environment variable"},
        {"--retention-hours", "RINGMETER_RETENTION_HOURS", "24", "hours the aggregates reach back (2 to 100000)"},
        {"--ring-size", "RINGMETER_RING_SIZE", "16384", "slots of the ingestion ring, a power of two"},
        {"--max-body-bytes", "RINGMETER_MAX_BODY_BYTES", "4194304", "largest ingest request body (413 past it)"},
        {"--body-timeout-ms", "RINGMETER_BODY_TIMEOUT_MS", "10000",
            "how long a write request's whole body may take to arrive (408 past it)"},
        {"--max-batch", "RINGMETER_MAX_BATCH", "10000", "most events or samples in one ingest request (413)"},
        {"--max-in-flight", "RINGMETER_MAX_IN_FLIGHT", "64",
            "write requests served at once; more get 429 with Retry-After"},
        {"--flush-timeout-ms", "RINGMETER_FLUSH_TIMEOUT_MS", "5000",
            "how long an ingest request waits for a ring slot, then for its acknowledgement, before 503"},
        {"--scan-timeout-ms", "RINGMETER_SCAN_TIMEOUT_MS", "30000",
            "how long a journal scan (group-by, filters) may run before 503; retention waits at most this long"},
        {"--snapshot-interval-ms", "RINGMETER_SNAPSHOT_INTERVAL_MS", "300000",
            "how often the aggregates are snapshotted (1000 to 86400000); a restart replays the journal since"},
        {"--max-string-length", "RINGMETER_MAX_STRING_LENGTH", "256",
            "longest model, pipeline, tag ... value accepted (422 past it)"},
        {"--limit", "RINGMETER_LIMITS", "(per dim.)",
            "cardinality limit of a dimension, DIMENSION=N, repeatable (the variable: comma-separated);"
                + " run, task, tag-value, ... count live values (used within 10 min); 422 past it"},
        {"--heap-share", "RINGMETER_HEAP_SHARE", "0.5",
            "share of -Xmx the store may hold at its limits (0.05 to 0.95); the limits not set derive from it"},
        {"--max-runs", "RINGMETER_MAX_RUNS", "0",
            "runs kept in memory (1 to 100000; 0: a sixteenth of the heap budget, 8 to 1000); past it the oldest"
                + " finished run is dropped (docs/runs.md)"},
        {"--fsync", "RINGMETER_FSYNC", "false",
            "sync the journal to disk before each acknowledgement, so acknowledged events survive power loss"},
        {"--system-sample-ms", "RINGMETER_SYSTEM_SAMPLE_MS", "5000",
            "how often JVM, host, store and GPU metrics are sampled into system.* and gpu.* (100 to 3600000; 0: never)"},
        {"--alert-eval-ms", "RINGMETER_ALERT_EVAL_MS", "5000",
            "how often alert rules are evaluated (100 to 3600000; 0: never) (docs/alerts.md)"},
        {"--gpu-command", "RINGMETER_GPU_COMMAND", "nvidia-smi",
            "the nvidia-smi to run for the gpu.* series (a path or a name on the PATH); absent: no GPU series"},
        {"--anomaly-detection", "RINGMETER_ANOMALY_DETECTION", "true",
            "run the anomaly watch: each model's latency, TTFT, error rate, tokens/s and cost per closed minute"
                + " (/api/v1/anomalies, docs/alerts.md)"},
        {"--report-every", "RINGMETER_REPORT_EVERY", "(none)",
            "write a report every period, e.g. 24h (periods aligned to UTC; docs/reports.md); needs a report-dir or"
                + " a report-webhook"},
        {"--report-dir", "RINGMETER_REPORT_DIR", "(none)", "directory the scheduled reports are written to (.md, .html)"},
        {"--report-webhook", "RINGMETER_REPORT_WEBHOOK", "(none)", "URL the scheduled reports are POSTed to as JSON"},
        {"--sampling", "RINGMETER_SAMPLING", "1",
            "keep 1 in N raw events in the journal, errors and slow ones always; the aggregates count every event:"
                + " N,model:NAME=N,operation:NAME=N,slowMs=MS (docs/privacy.md)"},
        {"--anonymize", "RINGMETER_ANONYMIZE", "(none)",
            "hash or drop fields before they are stored, redact e-mails, phones and cards in free text:"
                + " hash:FIELD,drop:FIELD,redact with FIELD run, task, config or tag.NAME; hashing needs the secret"
                + " RINGMETER_HASH_KEY (docs/privacy.md)"},
        {"--otlp-run-attribute", "RINGMETER_OTLP_RUN_ATTRIBUTE", "ringmeter.run.id",
            "the span attribute whose value is an OTLP span's run id (docs/integrations.md)"},
        {"--otlp-cumulative-series", "RINGMETER_OTLP_CUMULATIVE_SERIES", "10000",
            "OTLP metric series of cumulative temporality whose last point is kept to turn the next into a delta"
                + " (1 to 1000000); past it the least recently updated is forgotten (docs/integrations.md)"},
        {"--otlp-export", "RINGMETER_OTLP_EXPORT", "(none)",
            "push the aggregates as OTLP metrics to this OTLP/HTTP metrics URL, e.g. http://collector:4318/v1/metrics"
                + " (docs/otlp-export.md)"},
        {"--otlp-export-interval", "RINGMETER_OTLP_EXPORT_INTERVAL", "10s",
            "how often the OTLP export pushes the interval that closed (1s to 1h, a multiple of its alignment)"},
        {"--otlp-export-headers", "RINGMETER_OTLP_EXPORT_HEADERS", "(none)",
            "headers of the OTLP export's requests, NAME=VALUE,... (e.g. Authorization=Bearer ...,X-Scope-OrgID=t1)"},
        {"--otlp-export-temporality", "RINGMETER_OTLP_EXPORT_TEMPORALITY", "delta",
            "delta (each interval's points) or cumulative (since the export started)"},
        {"--session-ttl", "RINGMETER_SESSION_TTL", "12h",
            "how long a dashboard session (the cookie POST /api/v1/session gives for the token) lives, e.g. 30m"},
        {"--max-live-clients", "RINGMETER_MAX_LIVE_CLIENTS", "64",
            "live streams (GET /api/v1/live) open at once (1 to 10000), each holding a request thread; 503 past it"},
        {"--kafka", "RINGMETER_KAFKA", "(none)",
            "cluster mode: the Kafka bootstrap servers, HOST:PORT[,...]; needs --cluster (docs/cluster.md)"},
        {"--cluster", "RINGMETER_CLUSTER", "(none)",
            "cluster mode: the cluster's name (letters, digits, - and _): topic ringmeter.NAME.events, group"
                + " ringmeter.NAME; needs --kafka"},
        {"--kafka-partitions", "RINGMETER_KAFKA_PARTITIONS", "12",
            "partitions of the events topic when this node creates it (1 to 10000); an existing topic keeps its own"},
        {"--help", "", "", "print this help and exit"},
    };

    private int port = 8080;
    private String bind = "127.0.0.1";
    private Path dataDirectory = Path.of("data");
    private String token;
    private int retentionHours = 24;
    private int ringSize = 16384;
    private long maxBodyBytes = 4L * 1024 * 1024;
    private long bodyTimeoutMs = 10_000;
    private int maxBatch = 10_000;
    private int maxInFlight = 64;
    private long flushTimeoutMs = 5_000;
    private long scanTimeoutMs = dev.ringmeter.core.journal.JournalScan.DEFAULT_TIME_LIMIT_MS;
    private long snapshotIntervalMs = 300_000;
    private int maxStringLength = 256;
    private double heapShare = HeapBudget.DEFAULT_HEAP_SHARE;
    private boolean fsync;
    private long systemSampleMs = 5_000;
    private long alertEvalMs = 5_000;
    private String gpuCommand = "nvidia-smi";
    private String otlpRunAttribute = "ringmeter.run.id";
    private int otlpCumulativeSeries = 10_000;
    private dev.ringmeter.core.privacy.Sampling sampling = dev.ringmeter.core.privacy.Sampling.NONE;
    private dev.ringmeter.core.privacy.Anonymization anonymization = dev.ringmeter.core.privacy.Anonymization.NONE;
    private byte[] hashKey;
    private boolean anomalyDetection = true;
    /** 0: no scheduled reports. */
    private long reportEveryMs;
    private Path reportDirectory;
    private java.net.URI reportWebhook;
    private long anomalyIntervalMs = 10_000;
    /** 0: derived from the heap. */
    private int maxRuns;
    private final Map<Dimension, Integer> limits = new EnumMap<>(Dimension.class);
    private EpochClock clock = SystemEpochClock.INSTANCE;
    private long sessionTtlMs = 12 * 3_600_000L;
    private String otlpExport;
    private long otlpExportIntervalMs = 10_000;
    private final Map<String, String> otlpExportHeaders = new java.util.LinkedHashMap<>();
    private boolean otlpExportCumulative;
    private int maxLiveClients = 64;
    /** Null: a single server, no cluster. */
    private String kafka;
    private String cluster;
    private int kafkaPartitions = 12;
    private boolean help;

    /**
     * Reads options from the environment, then from the flags, which win.
     *
     * @param args the command line.
     * @param env  the environment, e.g. {@link System#getenv()}.
     * @return the options, concluded.
     * @throws IllegalArgumentException naming the bad or unknown option.
     */
    public static ServerConfig parse(final String[] args, final Map<String, String> env) {
        final Map<String, String> values = new LinkedHashMap<>();
        for (final String[] option : OPTIONS) {
            final String fromEnv = option[1].isEmpty() ? null : env.get(option[1]);
            if (fromEnv != null && !fromEnv.isEmpty()) {
                values.put(option[0], fromEnv);
            }
        }
        for (int i = 0; i < args.length; i++) {
            final String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                values.put("--help", "true");
                continue;
            }
            final int eq = arg.indexOf('=');
            final String flag = eq > 0 ? arg.substring(0, eq) : arg;
            if (!isFlag(flag)) {
                throw new IllegalArgumentException("unknown option '" + flag + "'; see --help");
            }
            final String value;
            if (eq > 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            if (flag.equals("--limit")) {
                values.merge(flag, value, (before, after) -> before + "," + after);   // repeatable: later wins
            } else {
                values.put(flag, value);
            }
        }
        final ServerConfig config = new ServerConfig();
        for (final Map.Entry<String, String> e : values.entrySet()) {
            config.set(e.getKey(), e.getValue());
        }
        final String key = env.get(HASH_KEY_VARIABLE);   // a secret: from the environment only, never a flag
        if (key != null && !key.isEmpty()) {
            config.hashKey(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return config.conclude();
    }

    private static boolean isFlag(final String flag) {
        for (final String[] option : OPTIONS) {
            if (option[0].equals(flag) && !flag.equals("--help")) {
                return true;
            }
        }
        return false;
    }

    private void set(final String flag, final String value) {
        switch (flag) {
            case "--port":
                port = (int)number(flag, value);
                break;
            case "--bind":
                bind = value.trim();
                break;
            case "--data":
                dataDirectory = Path.of(value);
                break;
            case "--token":
                token = value.trim();
                break;
            case "--retention-hours":
                retentionHours = (int)number(flag, value);
                break;
            case "--ring-size":
                ringSize = (int)number(flag, value);
                break;
            case "--max-body-bytes":
                maxBodyBytes = number(flag, value);
                break;
            case "--body-timeout-ms":
                bodyTimeoutMs = number(flag, value);
                break;
            case "--max-batch":
                maxBatch = (int)number(flag, value);
                break;
            case "--max-in-flight":
                maxInFlight = (int)number(flag, value);
                break;
            case "--flush-timeout-ms":
                flushTimeoutMs = number(flag, value);
                break;
            case "--scan-timeout-ms":
                scanTimeoutMs = number(flag, value);
                break;
            case "--snapshot-interval-ms":
                snapshotIntervalMs = number(flag, value);
                break;
            case "--max-string-length":
                maxStringLength = (int)number(flag, value);
                break;
            case "--heap-share":
                heapShare = decimal(flag, value);
                break;
            case "--fsync":
                fsync = bool(flag, value);
                break;
            case "--system-sample-ms":
                systemSampleMs = number(flag, value);
                break;
            case "--gpu-command":
                gpuCommand = value;
                break;
            case "--otlp-run-attribute":
                otlpRunAttribute = value.trim();
                break;
            case "--otlp-cumulative-series":
                otlpCumulativeSeries = (int)number(flag, value);
                break;
            case "--anomaly-detection":
                anomalyDetection = bool(flag, value);
                break;
            case "--sampling":
                sampling = spec(flag, value, dev.ringmeter.core.privacy.Sampling::parse);
                break;
            case "--anonymize":
                anonymization = spec(flag, value, dev.ringmeter.core.privacy.Anonymization::parse);
                break;
            case "--alert-eval-ms":
                alertEvalMs = number(flag, value);
                break;
            case "--report-every":
                try {
                    reportEveryMs = QueryParams.durationMs(value, flag);
                } catch (final ApiException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
                break;
            case "--report-dir":
                reportDirectory = Path.of(value);
                break;
            case "--report-webhook":
                try {
                    reportWebhook = java.net.URI.create(value);
                } catch (final IllegalArgumentException e) {
                    throw new IllegalArgumentException("--report-webhook must be a URL: " + e.getMessage(), e);
                }
                break;
            case "--max-runs":
                maxRuns = (int)number(flag, value);
                break;
            case "--limit":
                for (final String limit : value.split(",")) {
                    setLimit(limit.trim());
                }
                break;
            case "--session-ttl":
                try {
                    sessionTtlMs = QueryParams.durationMs(value, flag);
                } catch (final ApiException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
                break;
            case "--max-live-clients":
                maxLiveClients = (int)number(flag, value);
                break;
            case "--kafka":
                kafka = value.trim();
                break;
            case "--cluster":
                cluster = value.trim();
                break;
            case "--kafka-partitions":
                kafkaPartitions = (int)number(flag, value);
                break;
            case "--otlp-export":
                otlpExport = value.trim();
                break;
            case "--otlp-export-interval":
                try {
                    otlpExportIntervalMs = QueryParams.durationMs(value, flag);
                } catch (final ApiException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
                break;
            case "--otlp-export-headers":
                for (final String header : value.split(",")) {
                    final int eq = header.indexOf('=');
                    require(eq > 0 && !header.substring(0, eq).isBlank(),
                        "--otlp-export-headers must be NAME=VALUE,... but has " + header);
                    otlpExportHeaders.put(header.substring(0, eq).trim(), header.substring(eq + 1).trim());
                }
                break;
            case "--otlp-export-temporality":
                require("delta".equals(value.trim()) || "cumulative".equals(value.trim()),
                    "--otlp-export-temporality must be delta or cumulative");
                otlpExportCumulative = "cumulative".equals(value.trim());
                break;
            case "--help":
                help = true;
                break;
            default:
                throw new IllegalArgumentException("unknown option '" + flag + "'");
        }
    }

    private void setLimit(final String limit) {
        final int eq = limit.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--limit takes DIMENSION=N, e.g. run=200000, but was '" + limit + "'");
        }
        final Dimension dimension;
        try {
            dimension = Dimension.ofOptionName(limit.substring(0, eq).trim());
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("--limit: " + e.getMessage(), e);
        }
        limits.put(dimension, (int)number("--limit " + dimension.optionName(), limit.substring(eq + 1)));
    }

    private static long number(final String flag, final String value) {
        try {
            final long n = Long.parseLong(value.trim());
            if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(flag + " is out of range: " + value);
            }
            return n;
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a whole number but was '" + value + "'", e);
        }
    }

    private static double decimal(final String flag, final String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number but was '" + value + "'", e);
        }
    }

    private static boolean bool(final String flag, final String value) {
        final String v = value.trim();
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(flag + " must be true or false but was '" + value + "'");
    }

    /**
     * @return the text of {@code --help}.
     */
    public static String usage() {
        final StringBuilder b = new StringBuilder(2048);
        b.append("Usage: java -jar ringmeter-server.jar [options]\n\n")
            .append("Options (a flag wins over its environment variable):\n");
        for (final String[] o : OPTIONS) {
            b.append(String.format(Locale.ROOT, "  %-22s %-30s %-10s %s%n", o[0] + (o[1].isEmpty() ? "" : " <v>"),
                o[1], o[2], o[3]));
        }
        return b.toString();
    }

    /**
     * Checks every option.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad option.
     */
    public ServerConfig conclude() {
        require(port >= 0 && port <= 65_535, "--port must be 0 to 65535");
        require(bind != null && !bind.isEmpty(), "--bind must not be empty");
        require(dataDirectory != null, "--data must be set");
        require(token == null || !token.isEmpty(), "--token must not be empty");
        require(!otlpRunAttribute.isEmpty(), "--otlp-run-attribute must not be empty");
        require(otlpCumulativeSeries >= 1 && otlpCumulativeSeries <= 1_000_000,
            "--otlp-cumulative-series must be 1 to 1000000");
        require(retentionHours >= 2 && retentionHours <= 100_000, "--retention-hours must be 2 to 100000");
        require(ringSize >= 64 && ringSize <= (1 << 24) && Integer.bitCount(ringSize) == 1,
            "--ring-size must be a power of two from 64 to 16777216");
        require(maxBodyBytes >= 1024 && maxBodyBytes <= (1L << 30), "--max-body-bytes must be 1024 to 1073741824");
        require(maxRuns >= 0 && maxRuns <= 100_000, "--max-runs must be 1 to 100000 (0: derived from the heap)");
        require(bodyTimeoutMs >= 100 && bodyTimeoutMs <= 600_000, "--body-timeout-ms must be 100 to 600000");
        require(maxBatch >= 1 && maxBatch <= 1_000_000, "--max-batch must be 1 to 1000000");
        require(maxInFlight >= 1 && maxInFlight <= 10_000, "--max-in-flight must be 1 to 10000");
        require(flushTimeoutMs >= 1 && flushTimeoutMs <= 600_000, "--flush-timeout-ms must be 1 to 600000");
        require(scanTimeoutMs >= 1 && scanTimeoutMs <= 600_000, "--scan-timeout-ms must be 1 to 600000");
        require(snapshotIntervalMs >= 1_000 && snapshotIntervalMs <= 86_400_000,
            "--snapshot-interval-ms must be 1000 to 86400000");
        require(systemSampleMs == 0 || systemSampleMs >= 100 && systemSampleMs <= 3_600_000,
            "--system-sample-ms must be 100 to 3600000, or 0 for never");
        require(alertEvalMs == 0 || alertEvalMs >= 100 && alertEvalMs <= 3_600_000,
            "--alert-eval-ms must be 100 to 3600000, or 0 for never");
        require(maxStringLength >= 1 && maxStringLength <= 65_536, "--max-string-length must be 1 to 65536");
        require(heapShare >= 0.05 && heapShare <= 0.95, "--heap-share must be 0.05 to 0.95");
        for (final Map.Entry<Dimension, Integer> limit : limits.entrySet()) {
            require(limit.getValue() >= 1 && limit.getValue() <= StoreConfig.MAX_CARDINALITY_LIMIT,
                "--limit " + limit.getKey().optionName() + " must be 1 to " + StoreConfig.MAX_CARDINALITY_LIMIT);
        }
        require(reportEveryMs == 0 || reportEveryMs >= ReportSchedule.MIN_EVERY_MS,
            "--report-every must be at least 1s");
        require(reportEveryMs == 0 || reportDirectory != null || reportWebhook != null,
            "--report-every needs --report-dir or --report-webhook");
        require(reportEveryMs != 0 || reportDirectory == null && reportWebhook == null,
            "--report-dir and --report-webhook need --report-every");
        require(reportWebhook == null || "http".equals(reportWebhook.getScheme())
            || "https".equals(reportWebhook.getScheme()), "--report-webhook must be an http or https URL");
        require(clock != null, "clock must be set");
        require(sessionTtlMs >= 60_000 && sessionTtlMs <= 30L * 86_400_000, "--session-ttl must be 1m to 30d");
        require(maxLiveClients >= 1 && maxLiveClients <= 10_000, "--max-live-clients must be 1 to 10000");
        require((kafka == null) == (cluster == null), "--kafka and --cluster go together");
        require(kafka == null || !kafka.isEmpty(), "--kafka must not be empty");
        require(cluster == null || cluster.matches("[A-Za-z0-9_-]{1,100}"),
            "--cluster must be 1 to 100 letters, digits, - or _");
        require(kafkaPartitions >= 1 && kafkaPartitions <= 10_000, "--kafka-partitions must be 1 to 10000");
        require(otlpExport == null || otlpExport.startsWith("http://") || otlpExport.startsWith("https://"),
            "--otlp-export must be an http or https URL");
        require(otlpExportIntervalMs >= 1_000 && otlpExportIntervalMs <= 3_600_000,
            "--otlp-export-interval must be 1s to 1h");
        return this;
    }

    private static void require(final boolean condition, final String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** @param port to listen on, 0 for any free one; default 8080. @return this. */
    public ServerConfig port(final int port) {
        this.port = port;
        return this;
    }

    /** @param bind address to bind; default 127.0.0.1. @return this. */
    public ServerConfig bind(final String bind) {
        this.bind = bind;
        return this;
    }

    /** @param dataDirectory of the store; default ./data. @return this. */
    public ServerConfig dataDirectory(final Path dataDirectory) {
        this.dataDirectory = dataDirectory;
        return this;
    }

    /** @param token bearer token the API requires, or null for none (the default). @return this. */
    public ServerConfig token(final String token) {
        this.token = token;
        return this;
    }

    /** @param hours the aggregates keep; default 24. @return this. */
    public ServerConfig retentionHours(final int hours) {
        this.retentionHours = hours;
        return this;
    }

    /** @param ringSize slots of the ingestion ring; default 16384. @return this. */
    public ServerConfig ringSize(final int ringSize) {
        this.ringSize = ringSize;
        return this;
    }

    /** @param bytes largest ingest body; default 4 MiB. @return this. */
    public ServerConfig maxBodyBytes(final long bytes) {
        this.maxBodyBytes = bytes;
        return this;
    }

    /** @param n most events per ingest request; default 10,000. @return this. */
    public ServerConfig maxBatch(final int n) {
        this.maxBatch = n;
        return this;
    }

    /** @param n write requests served at once; default 64. @return this. */
    public ServerConfig maxInFlight(final int n) {
        this.maxInFlight = n;
        return this;
    }

    /** @param ms a write request's whole body may take to arrive; default 10000. @return this. */
    public ServerConfig bodyTimeoutMs(final long ms) {
        this.bodyTimeoutMs = ms;
        return this;
    }

    /**
     * @param ms how long a journal scan may run; default 30,000.
     * @return this.
     */
    public ServerConfig scanTimeoutMs(final long ms) {
        this.scanTimeoutMs = ms;
        return this;
    }

    /**
     * @param ms how often the store snapshots its aggregates; default 300,000 (5 minutes).
     * @return this.
     */
    public ServerConfig snapshotIntervalMs(final long ms) {
        this.snapshotIntervalMs = ms;
        return this;
    }

    /** @param ms an ingest request waits for a ring slot, then for its acknowledgement; default 5000. @return this. */
    public ServerConfig flushTimeoutMs(final long ms) {
        this.flushTimeoutMs = ms;
        return this;
    }

    /** @param chars longest string value; default 256. @return this. */
    public ServerConfig maxStringLength(final int chars) {
        this.maxStringLength = chars;
        return this;
    }

    /** @param runs kept in memory; 0 (the default) derives them from the heap. @return this. */
    public ServerConfig maxRuns(final int runs) {
        this.maxRuns = runs;
        return this;
    }

    /** @return runs kept in memory, 0 where the store derives them from the heap. */
    public int maxRuns() {
        return maxRuns;
    }

    /** @param share of -Xmx the store may hold at its limits; default 0.5. @return this. */
    public ServerConfig heapShare(final double share) {
        this.heapShare = share;
        return this;
    }

    /**
     * @param ms how often the system is sampled into the store; default 5,000; 0 for never.
     * @return this.
     */
    public ServerConfig systemSampleMs(final long ms) {
        this.systemSampleMs = ms;
        return this;
    }

    /**
     * @param command the nvidia-smi run for the GPU series, a path or a name on the PATH; default nvidia-smi.
     * @return this.
     */
    public ServerConfig gpuCommand(final String command) {
        this.gpuCommand = command;
        return this;
    }

    /**
     * @param ms how often alert rules are evaluated; default 5,000; 0 for never.
     * @return this.
     */
    public ServerConfig alertEvalMs(final long ms) {
        this.alertEvalMs = ms;
        return this;
    }

    /** @return how often alert rules are evaluated, ms; 0 for never. */
    public long alertEvalMs() {
        return alertEvalMs;
    }

    /** @return how often the system is sampled, ms; 0 for never. */
    public long systemSampleMs() {
        return systemSampleMs;
    }

    /**
     * @param on whether the store runs its anomaly watch; default true.
     * @return this.
     */
    public ServerConfig anomalyDetection(final boolean on) {
        this.anomalyDetection = on;
        return this;
    }

    /**
     * @param ms how often the anomaly watch ticks ({@code StoreConfig#anomalyIntervalMs}); default 10,000. Not a
     *           flag: for tests and embedding, which tick the watch themselves.
     * @return this.
     */
    public ServerConfig anomalyIntervalMs(final long ms) {
        this.anomalyIntervalMs = ms;
        return this;
    }

    /** @return how often the anomaly watch ticks, ms. */
    public long anomalyIntervalMs() {
        return anomalyIntervalMs;
    }

    /** @return whether the store runs its anomaly watch. */
    public boolean anomalyDetection() {
        return anomalyDetection;
    }

    private static <T> T spec(final String flag, final String value,
                              final java.util.function.Function<String, T> parse) {
        try {
            return parse.apply(value);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param sampling which raw events the journal keeps; default every one.
     * @return this.
     */
    public ServerConfig sampling(final dev.ringmeter.core.privacy.Sampling sampling) {
        this.sampling = sampling;
        return this;
    }

    /** @return which raw events the journal keeps. */
    public dev.ringmeter.core.privacy.Sampling sampling() {
        return sampling;
    }

    /**
     * @param anonymization what is hashed, dropped or redacted before it is stored; default nothing.
     * @return this.
     */
    public ServerConfig anonymization(final dev.ringmeter.core.privacy.Anonymization anonymization) {
        this.anonymization = anonymization;
        return this;
    }

    /** The environment variable that holds the key of hashed values (--anonymize hash:...). */
    public static final String HASH_KEY_VARIABLE = "RINGMETER_HASH_KEY";

    /**
     * @param key the HMAC key of hashed values ({@value #HASH_KEY_VARIABLE}); not a flag, so that it is not seen in
     *            the process list.
     * @return this.
     */
    public ServerConfig hashKey(final byte[] key) {
        this.hashKey = key == null ? null : key.clone();
        return this;
    }

    /** @return the HMAC key of hashed values, or null for the store's own default (the environment's). */
    public byte[] hashKey() {
        return hashKey == null ? null : hashKey.clone();
    }

    /** @return what is hashed, dropped or redacted before it is stored. */
    public dev.ringmeter.core.privacy.Anonymization anonymization() {
        return anonymization;
    }

    /** @return the nvidia-smi command. */
    public String gpuCommand() {
        return gpuCommand;
    }

    /** @return the span attribute whose value is an OTLP span's run id. */
    public String otlpRunAttribute() {
        return otlpRunAttribute;
    }

    /** @param attribute the span attribute whose value is an OTLP span's run id. @return this. */
    public ServerConfig otlpRunAttribute(final String attribute) {
        this.otlpRunAttribute = attribute;
        return this;
    }

    /** @return the most OTLP cumulative series whose last point is kept. */
    public int otlpCumulativeSeries() {
        return otlpCumulativeSeries;
    }

    /** @param series the most OTLP cumulative series whose last point is kept. @return this. */
    public ServerConfig otlpCumulativeSeries(final int series) {
        this.otlpCumulativeSeries = series;
        return this;
    }

    /**
     * @param everyMs   the period of scheduled reports, 0 for none.
     * @param directory where they are written, or null.
     * @param webhook   where they are POSTed, or null.
     * @return this.
     */
    public ServerConfig reports(final long everyMs, final Path directory, final java.net.URI webhook) {
        this.reportEveryMs = everyMs;
        this.reportDirectory = directory;
        this.reportWebhook = webhook;
        return this;
    }

    /** @return the period of scheduled reports, 0 for none. */
    public long reportEveryMs() {
        return reportEveryMs;
    }

    /** @return where scheduled reports are written, or null. */
    public Path reportDirectory() {
        return reportDirectory;
    }

    /** @return where scheduled reports are POSTed, or null. */
    public java.net.URI reportWebhook() {
        return reportWebhook;
    }

    /**
     * @param fsync whether the journal is synced to disk before each acknowledgement; default false.
     * @return this.
     */
    public ServerConfig fsync(final boolean fsync) {
        this.fsync = fsync;
        return this;
    }

    /**
     * @param dimension to limit.
     * @param limit     distinct values (live ones for a released dimension); default in {@link Dimension}.
     * @return this.
     */
    public ServerConfig limit(final Dimension dimension, final int limit) {
        this.limits.put(dimension, limit);
        return this;
    }

    /**
     * The server's one wall clock, which it gives its store: events are stamped and checked against it, query
     * windows end at its "now", /health and the snapshots tell its time. Not a flag: for tests and embedding.
     *
     * @param clock epoch milliseconds; default the system clock.
     * @return this.
     */
    public ServerConfig clock(final EpochClock clock) {
        this.clock = clock;
        return this;
    }

    public EpochClock clock() {
        return clock;
    }

    /**
     * @param ms how long a dashboard session lives (1 minute to 30 days); default 12 h.
     * @return this.
     */
    public ServerConfig sessionTtlMs(final long ms) {
        this.sessionTtlMs = ms;
        return this;
    }

    /** @return how long a dashboard session lives, ms. */
    public long sessionTtlMs() {
        return sessionTtlMs;
    }

    /**
     * @param n the most live streams open at once (1 to 10000); default 64.
     * @return this.
     */
    public ServerConfig maxLiveClients(final int n) {
        this.maxLiveClients = n;
        return this;
    }

    /** @return the most live streams open at once. */
    public int maxLiveClients() {
        return maxLiveClients;
    }

    /**
     * @param bootstrap the Kafka bootstrap servers, HOST:PORT[,...], or null for a single server.
     * @param name      the cluster's name, or null for a single server.
     * @return this.
     */
    public ServerConfig cluster(final String bootstrap, final String name) {
        this.kafka = bootstrap;
        this.cluster = name;
        return this;
    }

    /** @param partitions of the events topic when this node creates it; default 12. @return this. */
    public ServerConfig kafkaPartitions(final int partitions) {
        this.kafkaPartitions = partitions;
        return this;
    }

    /** @return the Kafka bootstrap servers, or null when this is a single server, not a cluster node. */
    public String kafka() {
        return kafka;
    }

    /** @return the cluster's name, or null when this is a single server. */
    public String cluster() {
        return cluster;
    }

    public int kafkaPartitions() {
        return kafkaPartitions;
    }

    /**
     * @param url the OTLP/HTTP metrics URL the aggregates are pushed to, or null (the default) for none.
     * @return this.
     */
    public ServerConfig otlpExport(final String url) {
        this.otlpExport = url;
        return this;
    }

    /** @return the OTLP/HTTP metrics URL the aggregates are pushed to, or null. */
    public String otlpExport() {
        return otlpExport;
    }

    /**
     * @param ms how often the OTLP export pushes (1 s to 1 h); default 10 s.
     * @return this.
     */
    public ServerConfig otlpExportIntervalMs(final long ms) {
        this.otlpExportIntervalMs = ms;
        return this;
    }

    /** @return how often the OTLP export pushes, ms. */
    public long otlpExportIntervalMs() {
        return otlpExportIntervalMs;
    }

    /** @return the headers of the OTLP export's requests, in their order. */
    public Map<String, String> otlpExportHeaders() {
        return java.util.Collections.unmodifiableMap(otlpExportHeaders);
    }

    /**
     * @param cumulative true for cumulative temporality, false (the default) for delta.
     * @return this.
     */
    public ServerConfig otlpExportCumulative(final boolean cumulative) {
        this.otlpExportCumulative = cumulative;
        return this;
    }

    /** @return whether the OTLP export sends cumulative temporality (else delta). */
    public boolean otlpExportCumulative() {
        return otlpExportCumulative;
    }

    public int port() {
        return port;
    }

    public String bind() {
        return bind;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** @return the bearer token, or null when the API is open. */
    public String token() {
        return token;
    }

    public int retentionHours() {
        return retentionHours;
    }

    public int ringSize() {
        return ringSize;
    }

    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    public long bodyTimeoutMs() {
        return bodyTimeoutMs;
    }

    public int maxBatch() {
        return maxBatch;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public long flushTimeoutMs() {
        return flushTimeoutMs;
    }

    public long scanTimeoutMs() {
        return scanTimeoutMs;
    }

    public long snapshotIntervalMs() {
        return snapshotIntervalMs;
    }

    public int maxStringLength() {
        return maxStringLength;
    }

    public double heapShare() {
        return heapShare;
    }

    /** @return whether the journal is synced to disk before each acknowledgement. */
    public boolean fsync() {
        return fsync;
    }

    /** @return the cardinality limits set, by dimension; the others keep their defaults. A copy. */
    public Map<Dimension, Integer> limits() {
        return new EnumMap<>(limits);
    }

    /** @return whether {@code --help} was given. */
    public boolean help() {
        return help;
    }

    /** @return the options as key=value pairs for the log; the token shows only as set or not. */
    @Override
    public String toString() {
        return "port=" + port + " bind=" + bind + " data=" + dataDirectory + " auth=" + (token == null ? "none" : "bearer")
            + " retentionHours=" + retentionHours + " ringSize=" + ringSize + " maxBodyBytes=" + maxBodyBytes
            + " bodyTimeoutMs=" + bodyTimeoutMs
            + " maxBatch=" + maxBatch + " maxInFlight=" + maxInFlight + " flushTimeoutMs=" + flushTimeoutMs
            + " scanTimeoutMs=" + scanTimeoutMs + " snapshotIntervalMs=" + snapshotIntervalMs
            + " maxStringLength=" + maxStringLength + " limits=" + limits + " heapShare=" + heapShare
            + " fsync=" + fsync + " systemSampleMs=" + systemSampleMs + " alertEvalMs=" + alertEvalMs
            + " anomalyDetection=" + anomalyDetection + " anomalyIntervalMs=" + anomalyIntervalMs
            + " reportEveryMs=" + reportEveryMs + " maxRuns=" + maxRuns + " sessionTtlMs=" + sessionTtlMs
            + " maxLiveClients=" + maxLiveClients + " otlpRunAttribute=" + otlpRunAttribute
            + " otlpCumulativeSeries=" + otlpCumulativeSeries
            // the export's headers and the user part of its URL may carry credentials: neither is shown
            + (otlpExport == null ? "" : " otlpExport=" + otlpExport.replaceFirst("//[^/@]*@", "//")
                + " otlpExportIntervalMs=" + otlpExportIntervalMs
                + " otlpExportHeaders=" + otlpExportHeaders.size() + " otlpExportCumulative=" + otlpExportCumulative)
            + (cluster == null ? "" : " cluster=" + cluster + " kafka=" + kafka + " kafkaPartitions=" + kafkaPartitions);
    }
}
