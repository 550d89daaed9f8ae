package dev.ringmeter.core.report;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.decide.Verdict;
import dev.ringmeter.core.run.RunCommand;
import dev.ringmeter.core.watch.alert.AlertMetric;
import dev.ringmeter.core.watch.alert.AlertRule;
import dev.ringmeter.core.watch.alert.AlertScope;
import dev.ringmeter.core.watch.alert.AlertTransition;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A report of a store fed with known events, checked for its numbers in the content, the Markdown and the HTML:
 * counts, percentiles within the histograms' 1 % precision, tokens, costs, verdicts, the best configuration; the
 * HTML parsed as XML with the charts' points counted; a run's report against another run; bad requests.
 */
@Timeout(120)
class ReportTest {
    /** 2026-01-01T00:00:00Z. */
    static final long H0 = 1_767_225_600_000L;
    static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private StoreConfig durable() {
        return new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).alertEvaluationIntervalMs(0);
    }

    /**
     * alpha: latencies 10, 20 … 1000 ms, every tenth an error, $0.01 each, run r1, cfg-a, openai, pipeline rag;
     * beta: 2001 … 2100 ms, no error, $0.02 each, run r2, cfg-b, anthropic, pipeline {@code <rag&2>}; all with 100
     * input and 20 output tokens, spread over [H0, H0 + 50 min).
     */
    static void fill(final EmbeddedStore store) throws InterruptedException {
        final Event e = new Event();
        for (int i = 1; i <= 100; i++) {
            e.reset().timestampMs(H0 + i * 30_000L).model("alpha").run("r1").config("cfg-a").provider("openai")
                .pipeline("rag").latencyNs(i * 10_000_000L).promptTokens(100).completionTokens(20).costUsd(0.01)
                .status(i % 10 == 0 ? Status.ERROR : Status.OK);
            if (i % 10 == 0) {
                e.errorType("server");
            }
            assertTrue(store.record(e));
            e.reset().timestampMs(H0 + i * 30_000L + 1).model("beta").run("r2").config("cfg-b").provider("anthropic")
                .pipeline("<rag&2>").latencyNs((2_000 + i) * 1_000_000L).promptTokens(100).completionTokens(20)
                .costUsd(0.02).status(Status.OK);
            assertTrue(store.record(e));
        }
        assertTrue(store.flush(10, TimeUnit.SECONDS));
    }

    @Test
    void aWindowsReportHoldsItsNumbersInBothFormats() throws Exception {
        clock.update(H0 + 51 * 60_000L);
        try (EmbeddedStore store = EmbeddedStore.open(durable())) {
            fill(store);
            store.alerts().putRule(new AlertRule("slow-alpha", "slow alpha", AlertScope.parse("model:alpha"),
                AlertMetric.parse("p95"), 60_000, AlertRule.Comparator.GT, 100, 300, 0, 1, List.of(), Map.of(), ""));
            assertEquals(1, store.alertEvaluator().tick(H0 + 51 * 60_000L).size(), "alpha's last call: 1000 ms");
            final Report r = store.report(ReportRequest.between(H0, H0 + HOUR));
            assertEquals(1, r.alerts().size());
            assertEquals(AlertTransition.Kind.FIRING, r.alerts().get(0).kind());
            assertEquals(List.of(), r.anomalies(), "no anomaly in an hour without a baseline");
            final Report.Row all = r.summary();
            assertEquals(200, all.events());
            assertEquals(10, all.errors());
            assertEquals(0.05, all.errorRate(), 1e-12);
            near(1_000, all.p50Ms());
            near(2_090, all.p95Ms());
            near(2_098, all.p99Ms());
            assertEquals(20_000, all.promptTokens());
            assertEquals(4_000, all.completionTokens());
            assertEquals(3.0, all.costUsd(), 1e-9);
            assertEquals(2, r.models().size());
            final Report.Row alpha = r.models().get(0);
            assertEquals("alpha", alpha.name());
            near(500, alpha.p50Ms());
            near(950, alpha.p95Ms());
            assertEquals(1.0, alpha.costUsd(), 1e-9);
            assertEquals("alpha", r.baseline());
            final Report.Verdicts beta = r.comparisons().get(0);
            assertEquals("beta", beta.name());
            assertEquals(Verdict.WORSE, beta.p95LatencyMs().verdict());
            assertEquals(Verdict.BETTER, beta.errorRate().verdict());
            assertEquals("cfg-a", r.best().get(0).name());
            assertEquals(1, r.best().get(0).rank());
            final Report.CostBreakdown byProvider = r.costs().get(1);
            assertEquals("provider", byProvider.by());
            assertEquals("anthropic", byProvider.rows().get(0).name());
            assertEquals(2.0, byProvider.rows().get(0).costUsd(), 1e-9);

            final String md = ReportFormat.MARKDOWN.render(r);
            final List<String> summaryRow = row(md, "| all |");
            assertEquals(List.of("all", "200", "10", "5.00%"), summaryRow.subList(0, 4));
            near(1_000, Double.parseDouble(summaryRow.get(4)));
            near(2_090, Double.parseDouble(summaryRow.get(5)));
            assertEquals(List.of("20000", "4000", "$3.0000"), summaryRow.subList(7, 10));
            assertEquals(10, row(md, "| beta |").size());
            assertTrue(md.contains("| beta | worse (+"), md);
            assertTrue(md.contains("| better (-10.00 pp"), md);
            assertEquals(List.of("anthropic", "100", "$2.0000", "0"), row(md, "| anthropic |"));
            assertEquals(List.of("2026-01-01T00:51:00Z", "slow-alpha", "firing", "critical"),
                row(md, "| 2026-01-01T00:51:00Z |").subList(0, 4));
            assertTrue(md.contains("| \\<rag&2\\> | 100 | $2.0000 | 0 |"), "escaped in Markdown: " + md);

            final String html = ReportFormat.HTML.render(r);
            final Document doc = xml(html);
            final NodeList cells = doc.getElementsByTagNameNS("http://www.w3.org/1999/xhtml", "td");
            final List<String> texts = new ArrayList<>();
            for (int i = 0; i < cells.getLength(); i++) {
                texts.add(cells.item(i).getTextContent());
            }
            assertTrue(texts.contains("<rag&2>"), "the pipeline's name, escaped in the source, read back whole");
            assertTrue(texts.containsAll(List.of("all", "200", "10", "5.00%", "$3.0000", "$2.0000")));
            assertTrue(!html.contains("<script"), "no script");
            final NodeList lines = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline");
            assertEquals(4, lines.getLength(), "p50, p95, p99 and throughput");
            final double[][] expected = {r.charts().p50Ms().values(), r.charts().p95Ms().values(),
                r.charts().p99Ms().values(), r.charts().rps().values()};
            for (int i = 0; i < 4; i++) {
                final String points = ((Element)lines.item(i)).getAttribute("points").trim();
                int withValue = 0;
                for (final double v : expected[i]) {
                    withValue += Double.isNaN(v) ? 0 : 1;
                }
                assertTrue(withValue >= 40, "the events span 50 of the 60 minutes: " + withValue);
                assertEquals(withValue, points.split(" ").length, "one point per step with a value");
            }
            assertEquals(2, doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect").getLength(),
                "cost by model: one bar per model");
        }
    }

    @Test
    void aRunsReportComparesItToAnotherRun() throws Exception {
        clock.update(H0);
        try (EmbeddedStore store = EmbeddedStore.open(durable())) {
            store.runs().create("r1", null, null, null, RunCommand.NO_COUNT);
            store.runs().create("r2", null, null, null, RunCommand.NO_COUNT);
            clock.update(H0 + HOUR);
            fill(store);
            final Report r = store.report(ReportRequest.run("r2", "r1"));
            assertEquals("r2", r.runId());
            assertEquals("scan", r.source());
            assertEquals(100, r.summary().events());
            assertEquals(0, r.summary().errors());
            assertEquals(2.0, r.summary().costUsd(), 1e-9);
            assertEquals(List.of("beta"), r.models().stream().map(Report.Row::name).toList());
            assertEquals("run r1", r.baseline());
            assertEquals(Verdict.WORSE, r.comparisons().get(0).p95LatencyMs().verdict());
            assertEquals(Verdict.BETTER, r.comparisons().get(0).errorRate().verdict());
            assertTrue(ReportFormat.MARKDOWN.render(r).contains("# Run r2"));
            assertThrows(dev.ringmeter.core.run.RunException.class,
                () -> store.report(ReportRequest.run("nope", null)));
        }
    }

    @Test
    void badRequestsNameTheirField() {
        final IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
            () -> ReportRequest.between(H0, H0));
        assertTrue(empty.getMessage().startsWith("from/to"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReportRequest.run("r", "r")).getMessage()
            .startsWith("compare"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReportFormat.parse("pdf")).getMessage()
            .startsWith("format"));
    }

    static void near(final double expected, final double actual) {
        assertEquals(expected, actual, expected * 0.01, "within the histograms' 1 % precision");
    }

    /** @return the cells of the Markdown table row that starts with {@code start}. */
    static List<String> row(final String md, final String start) {
        for (final String line : md.split("\n")) {
            if (line.startsWith(start)) {
                final List<String> cells = new ArrayList<>();
                for (final String c : line.substring(1, line.length() - 1).split("\\|")) {
                    cells.add(c.trim());
                }
                return cells;
            }
        }
        throw new AssertionError("no row " + start + " in\n" + md);
    }

    static Document xml(final String html) throws Exception {
        final DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        final Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        assertNotNull(doc.getDocumentElement());
        return doc;
    }
}
