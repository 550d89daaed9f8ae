package dev.ringmeter.server;

import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /api/v1/report against a real server: the numbers of known events in Markdown and in HTML (parsed as XML,
 * its charts SVG), a run's report, every bad parameter a 4xx naming it; and --report-every writing a report to
 * --report-dir once its period ends, not again after a restart.
 */
@Timeout(120)
class ReportApiTest {
    /** 2026-01-01T00:00:00Z. */
    private static final long H0 = 1_767_225_600_000L;
    /** The schedule's period: checked every 2 s. */
    private static final long PERIOD_MS = 200_000;

    @TempDir
    Path data;
    @TempDir
    Path out;

    private final CachedEpochClock clock = new CachedEpochClock();

    /** 100 events of m1 (10..1000 ms, run r1) and 100 of m2 (2001..2100 ms, every tenth an error), $0.01 each. */
    private static String events() {
        final StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 100; i++) {
            b.append("{\"model\":\"m1\",\"run\":\"r1\",\"timestamp\":").append(H0 + i * 1_000L)
                .append(",\"latencyMs\":").append(i * 10).append(",\"costUsd\":0.01,\"promptTokens\":5}\n");
            b.append("{\"model\":\"m2\",\"timestamp\":").append(H0 + i * 1_000L).append(",\"latencyMs\":")
                .append(2_000 + i).append(",\"costUsd\":0.01,\"promptTokens\":5,\"status\":\"")
                .append(i % 10 == 0 ? "error" : "ok").append("\"}\n");
        }
        return b.toString();
    }

    @Test
    void reportsInBothFormatsAndRefusesBadParameters() throws Exception {
        clock.update(H0 + 600_000);
        try (TestServer server = new TestServer(new ServerConfig().clock(clock), data)) {
            assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, events()).status());
            assertEquals(201, server.post("/api/v1/runs", TestServer.JSON, "{\"id\":\"r2\"}").status());
            final TestServer.Reply md = server.get("/api/v1/report?window=1h");
            assertEquals(200, md.status(), md.body());
            assertTrue(md.raw().headers().firstValue("Content-Type").orElse("").startsWith("text/markdown"));
            assertTrue(md.body().contains("| all | 200 | 10 | 5.00% |"), md.body());
            assertTrue(md.body().contains("| 1000 | 0 | $2.0000 |"), "tokens and cost: " + md.body());
            assertTrue(md.body().contains("| m2 | worse ("), md.body());
            assertTrue(md.body().contains("No configuration recorded in the period."), "no config, no candidate");
            assertTrue(md.body().contains("| (none) | 200 | $2.0000 | 0 |"), "no provider: " + md.body());
            final TestServer.Reply html = server.get("/api/v1/report?from=" + H0 + "&to=" + (H0 + 600_000)
                + "&format=html");
            assertEquals(200, html.status());
            assertTrue(html.raw().headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
            final DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            final org.w3c.dom.Document doc = f.newDocumentBuilder()
                .parse(new ByteArrayInputStream(html.body().getBytes(StandardCharsets.UTF_8)));
            assertEquals(3, doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg").getLength());

            final TestServer.Reply run = server.get("/api/v1/report?run=r2");
            assertEquals(200, run.status(), run.body());
            assertTrue(run.body().contains("| all | 0 | 0 |"), "r2 has no events: " + run.body());

            final Map<String, String> bad = Map.of(
                "/api/v1/report?format=pdf", "format",
                "/api/v1/report?window=soon", "window",
                "/api/v1/report?from=" + (H0 + 5) + "&to=" + H0, "to",
                "/api/v1/report?run=r1&window=1h", "run",
                "/api/v1/report?compare=r1", "compare",
                "/api/v1/report?run=r2&compare=r2", "compare",
                "/api/v1/report?colour=red", "colour");
            for (final Map.Entry<String, String> e : bad.entrySet()) {
                final TestServer.Reply r = server.get(e.getKey());
                assertEquals(400, r.status(), e.getKey() + " " + r.body());
                assertEquals(e.getValue(), r.json().at("/field").asText(), e.getKey() + " " + r.body());
            }
            final TestServer.Reply missing = server.get("/api/v1/report?run=nope");
            assertEquals(404, missing.status(), missing.body());
        }
    }

    @Test
    void theScheduleWritesEachPeriodOnceAcrossARestart() throws Exception {
        clock.update(H0 + 100_500);
        final ServerConfig config = new ServerConfig().clock(clock).reports(PERIOD_MS, out, null);
        try (TestServer server = new TestServer(config, data)) {
            assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, events()).status());
            clock.update(H0 + PERIOD_MS + 1);
            final Path md = out.resolve("report-2026-01-01T000000Z.md");
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Files.exists(md) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(Files.exists(md), "the hour's report was written");
            assertTrue(Files.readString(md).contains("| all | 200 | 10 | 5.00% |"));
        }
        final long written = Files.getLastModifiedTime(out.resolve("report-2026-01-01T000000Z.md")).toMillis();
        try (TestServer server = new TestServer(new ServerConfig().clock(clock).reports(PERIOD_MS, out, null), data)) {
            assertEquals(200, server.get("/ready").status());
            assertEquals(H0 + PERIOD_MS, Long.parseLong(Files.readString(data.resolve("report-schedule.state"))
                .trim()), "the schedule resumed from its state");
        }
        try (var files = Files.list(out)) {
            assertEquals(2, files.count(), "one .md and one .html");
        }
        assertEquals(written, Files.getLastModifiedTime(out.resolve("report-2026-01-01T000000Z.md")).toMillis());
    }

    @Test
    void theScheduleFlagsAreParsedAndCheckedTogether() {
        final ServerConfig c = ServerConfig.parse(new String[] {"--report-every=24h", "--report-dir=/tmp/r",
            "--report-webhook=http://127.0.0.1:9/r"}, Map.of());
        assertEquals(86_400_000L, c.reportEveryMs());
        assertEquals(Path.of("/tmp/r"), c.reportDirectory());
        assertEquals("http://127.0.0.1:9/r", c.reportWebhook().toString());
        assertEquals(3_600_000L, ServerConfig.parse(new String[] {"--report-dir=/tmp/r"},
            Map.of("RINGMETER_REPORT_EVERY", "1h")).conclude().reportEveryMs());
        final Map<String[], String> bad = Map.of(
            new String[] {"--report-every=daily", "--report-dir=/tmp/r"}, "--report-every",
            new String[] {"--report-every=24h"}, "--report-every needs",
            new String[] {"--report-dir=/tmp/r"}, "--report-dir and --report-webhook need",
            new String[] {"--report-every=24h", "--report-webhook=ftp://x/"}, "--report-webhook");
        for (final Map.Entry<String[], String> e : bad.entrySet()) {
            final IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> ServerConfig.parse(e.getKey(), Map.of()).conclude());
            assertTrue(refused.getMessage().startsWith(e.getValue()), refused.getMessage());
        }
        assertTrue(ServerConfig.usage().contains("--report-every"));
    }
}
