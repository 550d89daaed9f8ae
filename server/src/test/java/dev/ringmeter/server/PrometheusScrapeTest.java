package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Prometheus scrapes a real server (every second, negotiating OpenMetrics as Prometheus 2.42 does): its
 * {@code histogram_quantile} of our buckets agrees with our own P95 within the buckets' precision, and every query
 * of docs/grafana/ringmeter-dashboard.json names metrics and labels /metrics exposes and gets data.
 */
@Timeout(240)
class PrometheusScrapeTest {
    private static final String MODEL = "lat";
    private static final int BATCH = 200;
    private static final String DURATION = "gen_ai_client_operation_duration_seconds";
    private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "ringmeter-dashboard.json");

    @TempDir
    static Path data;
    @TempDir
    static Path promDir;
    static TestServer server;
    static RealPrometheus prometheus;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(new ServerConfig().alertEvalMs(200), data);
        prometheus = RealPrometheus.start(promDir, "127.0.0.1:" + server.server.port());
        assumeTrue(prometheus != null, "prometheus is not installed (CI installs it)");
        // a first batch, scraped before the second, so that a rate over the last minute sees the second one rise
        feed();
        awaitCount(BATCH);
        feed();
        awaitCount(2 * BATCH);
        assertEquals(201, server.post("/api/v1/alerts/rules", TestServer.JSON, "{\"id\":\"lat-slow\","
            + "\"name\":\"lat is slow\",\"scope\":\"model:" + MODEL + "\",\"metric\":\"p95\",\"window\":\"1m\","
            + "\"comparator\":\">\",\"critical\":100,\"for\":\"0s\"}").status());
        prometheus.await("ringmeter_alerts{alertstate=\"firing\",rule=\"lat-slow\"}", r -> r.size() == 1);
    }

    /** Latencies 5 ms to 1 s in 5 ms steps; every tenth call an error, every other a cache hit. */
    private static void feed() {
        final StringBuilder b = new StringBuilder("[");
        for (int i = 1; i <= BATCH; i++) {
            b.append(i == 1 ? "" : ",").append("{\"model\":\"").append(MODEL)
                .append("\",\"provider\":\"openai\",\"operation\":\"chat\",\"latencyMs\":").append(5 * i)
                .append(",\"ttftMs\":").append(2 + i % 50).append(",\"promptTokens\":200,\"completionTokens\":")
                .append(1 + i % 40).append(",\"costUsd\":0.001,\"cacheHit\":").append(i % 2 == 0)
                .append(i % 10 == 0 ? ",\"status\":\"error\",\"errorType\":\"rate_limit\"" : "").append('}');
        }
        final TestServer.Reply r = server.post("/api/v1/events", TestServer.JSON, b.append(']').toString());
        assertEquals(202, r.status(), r.body());
    }

    private static void awaitCount(final int n) throws InterruptedException {
        prometheus.await(DURATION + "_count{gen_ai_request_model=\"" + MODEL + "\"}",
            r -> RealPrometheus.value(r) == n);
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        server.close();
    }

    @Test
    void shouldAgreeWithOurP95WithinTheBucketsPrecision() throws Exception {
        final double ours = server.get("/api/v1/analytics?model=" + MODEL + "&window=1h").json()
            .get("latencyMs").get("p95").asDouble() / 1000;
        final JsonNode r = prometheus.query("histogram_quantile(0.95, sum by (le, gen_ai_request_model) (rate("
            + DURATION + "_bucket{gen_ai_request_model=\"" + MODEL + "\"}[1m])))");
        assertEquals(1, r.size(), r.toString());
        final double theirs = RealPrometheus.value(r);
        // the bucket of our P95 among the conventions' bounds, 10 ms x 2^k: Prometheus interpolates within it
        double lower = 0;
        double upper = 0.01;
        while (ours > upper) {
            lower = upper;
            upper *= 2;
        }
        assertTrue(theirs > lower && theirs <= upper, "Prometheus' P95 " + theirs + " s is in the bucket ("
            + lower + ", " + upper + "] of ours, " + ours + " s");
    }

    @Test
    void shouldBeScrapedAsOpenMetrics() {
        final JsonNode targets = prometheus.api("/api/v1/targets").get("activeTargets");
        assertEquals(1, targets.size());
        assertEquals("up", targets.get(0).get("health").asText(), targets.toString());
        assertEquals("", targets.get(0).get("lastError").asText());
        // only the OpenMetrics text says a family's unit, and names a counter's family without _total
        final JsonNode duration = prometheus.api("/api/v1/metadata?metric=" + DURATION).get(DURATION);
        assertEquals("seconds", duration.get(0).get("unit").asText(), duration.toString());
        final JsonNode requests = prometheus.api("/api/v1/metadata?metric=ringmeter_requests")
            .get("ringmeter_requests");
        assertEquals("counter", requests.get(0).get("type").asText(), String.valueOf(requests));
    }

    @Test
    void shouldAnswerEveryDashboardQueryWithMetricsAndLabelsThatMetricsExposes() throws Exception {
        final JsonNode dashboard = TestServer.MAPPER.readTree(Files.readString(DASHBOARD));
        assertEquals("DS_PROMETHEUS", dashboard.get("__inputs").get(0).get("name").asText());
        final List<String> exprs = new ArrayList<>();
        collectExprs(dashboard.get("panels"), exprs);
        assertTrue(exprs.size() >= 15, "the dashboard's queries: " + exprs);

        final Map<String, Set<String>> labels = labelsByMetric(server.get("/metrics").body());
        for (final String expr : exprs) {
            checkNames(expr, labels);
            final String promql = expr.replace("$model", MODEL).replace("$__rate_interval", "1m")
                .replace("$__range", "1h").replace("$__interval", "15s");
            final JsonNode result = prometheus.query(promql);
            assertTrue(result.size() > 0, "no data for " + promql);
        }

        JsonNode model = null;
        for (final JsonNode v : dashboard.get("templating").get("list")) {
            if ("model".equals(v.get("name").asText())) {
                model = v;
            }
        }
        assertTrue(model != null, "a model variable");
        final Matcher m = Pattern.compile(
            "label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*([a-zA-Z_]\\w*)\\s*\\)")
            .matcher(model.get("query").get("query").asText());
        assertTrue(m.matches(), model.toString());
        assertTrue(labels.containsKey(m.group(1)) && labels.get(m.group(1)).contains(m.group(2)), m.group());
        final JsonNode values = prometheus.api("/api/v1/label/" + m.group(2) + "/values?match[]="
            + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8));
        assertTrue(values.toString().contains('"' + MODEL + '"'), values.toString());
    }

    private static void collectExprs(final JsonNode panels, final List<String> exprs) {
        for (final JsonNode p : panels) {
            assertTrue(p.has("type") && p.has("gridPos"), p.toString());
            if (p.has("panels")) {
                collectExprs(p.get("panels"), exprs);
            }
            if (!"row".equals(p.get("type").asText())) {
                assertEquals("${DS_PROMETHEUS}", p.get("datasource").get("uid").asText(), p.get("title").asText());
            }
            for (final JsonNode t : p.path("targets")) {
                exprs.add(t.get("expr").asText());
            }
        }
    }

    /** @return each sample name of an exposition with the label names its samples carry. */
    private static Map<String, Set<String>> labelsByMetric(final String exposition) {
        final Map<String, Set<String>> labels = new HashMap<>();
        final Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
        for (final String series : ExpositionFormat.check(exposition).keySet()) {
            final int brace = series.indexOf('{');
            final Set<String> names = labels.computeIfAbsent(brace < 0 ? series : series.substring(0, brace),
                k -> new HashSet<>());
            if (brace >= 0) {
                final Matcher m = label.matcher(series.substring(brace)
                    .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\""));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return labels;
    }

    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)\\s*\"");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\(?)");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "and", "or", "unless", "on", "ignoring",
        "group_left", "group_right", "bool", "offset");

    /**
     * Checks that every metric a query selects is a sample name of /metrics, and that every label it matches on or
     * groups by is carried by a sample of the metrics it selects.
     */
    private static void checkNames(final String expr, final Map<String, Set<String>> labels) {
        final Set<String> metrics = new HashSet<>();
        final Matcher s = SELECTOR.matcher(expr);
        while (s.find()) {
            metrics.add(s.group(1));
            final Matcher m = MATCHER.matcher(s.group(2));
            while (m.find()) {
                assertTrue(labels.getOrDefault(s.group(1), Set.of()).contains(m.group(1)),
                    s.group(1) + " has no label " + m.group(1) + " in /metrics: " + expr);
            }
        }
        // the bare names left once strings, selectors' matchers, ranges and groupings are gone
        final String bare = expr.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("\\{[^}]*}", " ")
            .replaceAll("\\[[^]]*]", " ").replaceAll("\\b(?:by|without)\\s*\\([^)]*\\)", " ");
        final Matcher id = IDENTIFIER.matcher(bare);
        while (id.find()) {
            if (id.group(2).isEmpty() && !KEYWORDS.contains(id.group(1)) && !id.group(1).matches("[0-9.e]+")) {
                metrics.add(id.group(1));
            }
        }
        assertTrue(!metrics.isEmpty(), "a query selects a metric: " + expr);
        final Set<String> known = new HashSet<>();
        for (final String metric : metrics) {
            assertTrue(labels.containsKey(metric), metric + " is not in /metrics: " + expr);
            known.addAll(labels.get(metric));
        }
        final Matcher g = GROUPING.matcher(expr);
        while (g.find()) {
            for (final String l : g.group(1).split(",")) {
                assertTrue(known.contains(l.trim()), "no metric of the query carries " + l.trim() + ": " + expr);
            }
        }
    }
}
