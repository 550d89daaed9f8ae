package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.test.StandInNvidiaSmi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in headless Chromium against a real server (no token) holding known events: the panels that read
 * /api/v1 load without console errors, show the API's numbers, sort, filter, show a firing alert, download exports
 * and show the API's refusal of a bad rule. The live stream's part (tiles, the event log, the token prompt) is
 * {@link DashboardLiveBrowserTest}.
 */
@Timeout(120)
class DashboardBrowserTest {
    private static final String[] MODELS = {"gpt-4o", "claude-sonnet", "llama-3-70b"};
    private static final int EVENTS = 90;

    @TempDir
    static Path data;
    @TempDir
    static Path downloads;
    @TempDir
    static Path bin;
    static TestServer server;
    static DashboardBrowser browser;

    @BeforeAll
    static void start() throws IOException {
        server = new TestServer(new ServerConfig().alertEvalMs(200).anomalyDetection(false).systemSampleMs(200)
            .gpuCommand(StandInNvidiaSmi.write(bin).toString()), data);
        final long now = System.currentTimeMillis();
        final StringBuilder body = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            final String model = MODELS[i % MODELS.length];
            final String status = i % 10 == 0 ? "error" : "ok";
            // latencies differ per model so that sorting by P95 has one right order
            final double latency = 100 * (1 + i % MODELS.length) + i;
            body.append(String.format(Locale.ROOT, "{\"model\":\"%s\",\"latencyMs\":%.1f,\"ttftMs\":50,"
                    + "\"promptTokens\":100,\"completionTokens\":20,\"status\":\"%s\",\"costUsd\":0.001,"
                    + "\"config\":\"%s\",\"pipeline\":\"rag\",\"step\":\"%s\",\"run\":\"eval-1\",\"timestamp\":%d}%n",
                model, latency, status, i % 2 == 0 ? "prompt-v1" : "prompt-v2", i % 2 == 0 ? "retrieve" : "answer",
                now - 60_000 - i * 1000L));
        }
        assertEquals(201, server.post("/api/v1/runs", TestServer.JSON,
            "{\"id\":\"eval-1\",\"name\":\"Eval one\",\"expectedTasks\":10}").status());
        assertEquals(202, server.post("/api/v1/events", TestServer.NDJSON, body.toString()).status());
        browser = new DashboardBrowser(downloads);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        server.close();
    }

    @BeforeEach
    void open() {
        browser.driver.manage().window().setSize(new Dimension(1280, 1000));
        browser.consoleErrors();   // what an earlier test's page logged is not this test's
        browser.driver.get(server.base + "/");
        browser.until(d -> "true".equals(browser.find("body").getAttribute("data-ready")));
    }

    private void tab(final String name) {
        browser.find("#tab-" + name).click();
        browser.until(ExpectedConditions.visibilityOfElementLocated(By.id("panel-" + name)));
    }

    @Test
    void shouldLoadEveryPanelWithoutConsoleErrors() {
        browser.until(d -> !browser.all("#chart-latency canvas").isEmpty());
        browser.until(d -> !browser.all("#chart-throughput canvas").isEmpty());
        assertTrue(browser.find("#tiles").isDisplayed());
        assertTrue(browser.find("#stream-state").isDisplayed());
        final List<String> subjects = new ArrayList<>();
        for (final WebElement o : browser.all("#chart-subject option")) {
            subjects.add(o.getText());
        }
        assertTrue(subjects.contains("model gpt-4o") && subjects.contains("step rag / retrieve"), subjects.toString());

        tab("compare");
        browser.until(d -> browser.all("#models-table tbody tr[data-key]").size() == MODELS.length);
        browser.until(d -> browser.all("#configs-table tbody tr[data-key]").size() == 2);
        browser.until(d -> browser.all("#best-table tbody tr[data-key]").size() == 2);
        tab("runs");
        browser.until(d -> !browser.all("#runs-table tr[data-key='eval-1'] progress").isEmpty());
        tab("alerts");
        browser.until(d -> !browser.all("#rules-table tbody tr").isEmpty());
        tab("system");
        browser.until(d -> !browser.all("#system-panel dd[data-field='Heap used']").isEmpty());
        tab("events");
        assertTrue(browser.find("#events-pause").isDisplayed() && browser.find("#events-filter").isDisplayed());

        // keyboard: arrows move between the tabs, and the focused tab is the selected one
        browser.find("#tab-events").sendKeys(Keys.ARROW_RIGHT);
        browser.until(d -> browser.find("#panel-alerts").isDisplayed());
        assertEquals("tab-alerts", browser.driver.switchTo().activeElement().getAttribute("id"));

        assertEquals(List.of(), browser.consoleErrors());
    }

    @Test
    void shouldFitAPhoneWidthWithoutSidewaysScrolling() {
        browser.driver.manage().window().setSize(new Dimension(360, 800));
        browser.until(d -> !browser.all("#chart-latency canvas").isEmpty());
        final long inner = (Long) ((JavascriptExecutor) browser.driver).executeScript("return window.innerWidth");
        final long scroll = (Long) ((JavascriptExecutor) browser.driver)
            .executeScript("return document.documentElement.scrollWidth");
        assertTrue(scroll <= inner, "page " + scroll + " px wide in a " + inner + " px window");
    }

    @Test
    void shouldShowTheApisNumbersInTheModelTable() {
        tab("compare");
        browser.until(d -> browser.all("#models-table tbody tr[data-key]").size() == MODELS.length);
        final JsonNode api = server.get("/api/v1/analytics?window=1h").json().get("models");
        assertEquals(MODELS.length, api.size());
        for (final JsonNode m : api) {
            final String row = "#models-table tr[data-key='" + m.get("model").asText() + "'] ";
            assertEquals(m.get("count").asLong(), (long) value(row + "td[data-col='count']"));
            assertEquals(m.get("latencyMs").get("p50").asDouble(), value(row + "td[data-col='p50']"));
            assertEquals(m.get("latencyMs").get("p95").asDouble(), value(row + "td[data-col='p95']"));
            assertEquals(m.get("latencyMs").get("p99").asDouble(), value(row + "td[data-col='p99']"));
            assertEquals(m.get("errorRate").asDouble(), value(row + "td[data-col='errorRate']"));
            assertEquals(m.get("costUsd").asDouble(), value(row + "td[data-col='cost']"), 1e-12);
            assertEquals(String.format(Locale.ROOT, "%.1f", m.get("latencyMs").get("p95").asDouble()),
                browser.find(row + "td[data-col='p95']").getText());
            assertEquals(String.format(Locale.ROOT, "%.2f %%", 100 * m.get("errorRate").asDouble()),
                browser.find(row + "td[data-col='errorRate']").getText());
        }
    }

    private double value(final String selector) {
        return Double.parseDouble(browser.find(selector).getAttribute("data-value"));
    }

    private List<String> column(final String table, final String col) {
        final List<String> values = new ArrayList<>();
        for (final WebElement td : browser.all(table + " tbody tr[data-key] td[data-col='" + col + "']")) {
            values.add(td.getText());
        }
        return values;
    }

    @Test
    void shouldSortByAClickedOrEnteredHeaderAndFilterByText() {
        tab("compare");
        browser.until(d -> browser.all("#models-table tbody tr[data-key]").size() == MODELS.length);
        browser.find("#models-table th[data-col='p95'] button").click();
        browser.until(d -> "ascending".equals(browser.find("#models-table th[data-col='p95']").getAttribute("aria-sort")));
        assertEquals(List.of("gpt-4o", "claude-sonnet", "llama-3-70b"), column("#models-table", "model"));
        browser.find("#models-table th[data-col='p95'] button").click();
        browser.until(d -> "descending".equals(browser.find("#models-table th[data-col='p95']").getAttribute("aria-sort")));
        assertEquals(List.of("llama-3-70b", "claude-sonnet", "gpt-4o"), column("#models-table", "model"));
        browser.find("#models-table th[data-col='model'] button").sendKeys(Keys.ENTER);
        browser.until(d -> "ascending".equals(browser.find("#models-table th[data-col='model']").getAttribute("aria-sort")));
        assertEquals(List.of("claude-sonnet", "gpt-4o", "llama-3-70b"), column("#models-table", "model"));

        browser.find("#models-filter").sendKeys("LLAMA");
        browser.until(d -> browser.all("#models-table tbody tr[data-key]").size() == 1);
        assertEquals(List.of("llama-3-70b"), column("#models-table", "model"));
        browser.find("#models-filter").sendKeys("-none");
        browser.until(d -> browser.all("#models-table tbody tr[data-key]").isEmpty());
        assertEquals("No row matches the filter.", browser.find("#models-table tbody tr.empty").getText());

        // the configurations carry the significance verdicts against the baseline, the first one
        browser.until(d -> browser.all("#configs-table tbody tr[data-key]").size() == 2);
        final String verdict = browser.find("#configs-table tr[data-key='prompt-v2'] td[data-col='p95Verdict']").getText();
        assertTrue(List.of("better", "worse", "no significant difference", "insufficient data").contains(verdict), verdict);
    }

    @Test
    void shouldShowAFiringAlert() {
        assertEquals(201, server.post("/api/v1/alerts/rules", TestServer.JSON, "{\"id\":\"gpt-slow\",\"name\":\"gpt-4o "
            + "is slow\",\"scope\":\"model:gpt-4o\",\"metric\":\"p95\",\"window\":\"1h\",\"comparator\":\">\","
            + "\"warning\":1}").status());
        tab("alerts");
        browser.until(d -> !browser.all("#alerts-active li[data-rule='gpt-slow'][data-state='firing']").isEmpty());
        assertTrue(browser.find("#alerts-active li[data-rule='gpt-slow']").getText().contains("firing"));
        browser.until(d -> !browser.all("#alerts-history li[data-rule='gpt-slow'][data-kind='firing']").isEmpty());
        // and on the charts of that model, as a mark listed under them
        tab("overview");
        browser.until(d -> browser.all("#chart-markers li[data-kind='alert']").stream()
            .anyMatch(li -> li.getText().contains("gpt-slow")));
        assertEquals(204, server.send(server.request("/api/v1/alerts/rules/gpt-slow").DELETE().build()).status());
    }

    @Test
    void shouldDownloadTheEventsAsCsvWithEveryRow() throws IOException {
        browser.find("#export-csv").click();
        final Path file = browser.until(d -> browser.downloaded().stream()
            .filter(p -> p.getFileName().toString().endsWith(".csv")).findFirst().orElse(null));
        final List<String> lines = Files.readAllLines(file);
        final long rows = lines.stream().filter(l -> !l.isEmpty() && !l.startsWith("#")).count() - 1;   // less the header
        assertEquals(EVENTS, rows, String.join("\n", lines.subList(0, Math.min(3, lines.size()))));
        assertTrue(lines.get(0).contains("model"), lines.get(0));
        assertTrue(lines.get(lines.size() - 1).startsWith("# {\"export\""), lines.get(lines.size() - 1));
        assertEquals(EVENTS, lines.stream().filter(l -> l.contains("eval-1")).count());
    }

    @Test
    void shouldShowTheApisMessageForABadRuleAndCreateEditAndDeleteAGoodOne() {
        final String bad = "{\"id\":\"bad\",\"name\":\"bad\",\"metric\":\"p95\",\"window\":\"5m\","
            + "\"comparator\":\"~\",\"warning\":1}";
        final JsonNode refusal = server.post("/api/v1/alerts/rules", TestServer.JSON, bad).json();
        tab("alerts");
        final WebElement json = browser.find("#rule-json");
        json.clear();
        json.sendKeys(bad);
        browser.find("#rule-save").click();
        browser.until(d -> !browser.find("#rule-error").getText().isEmpty());
        assertEquals(refusal.get("error").asText() + " (field: " + refusal.get("field").asText() + ")",
            browser.find("#rule-error").getText());

        json.clear();
        json.sendKeys("{\"id\":\"edited\",\"name\":\"first\",\"metric\":\"error_rate\",\"window\":\"5m\","
            + "\"comparator\":\">\",\"warning\":0.5}");
        browser.find("#rule-save").click();
        browser.until(d -> !browser.all("#rules-table tr[data-key='edited']").isEmpty());
        assertEquals("first", server.get("/api/v1/alerts/rules/edited").json().get("name").asText());

        browser.find("#rules-table button[data-edit='edited']").click();
        browser.until(d -> browser.find("#rule-json").getAttribute("value").contains("\"edited\""));
        final String edited = browser.find("#rule-json").getAttribute("value").replace("\"first\"", "\"second\"");
        browser.find("#rule-json").clear();
        browser.find("#rule-json").sendKeys(edited);
        browser.find("#rule-save").click();
        browser.until(d -> browser.find("#rule-status").getText().equals("Saved rule edited."));
        assertEquals("second", server.get("/api/v1/alerts/rules/edited").json().get("name").asText());

        browser.find("#rules-table button[data-delete='edited']").click();
        browser.until(d -> browser.all("#rules-table tr[data-key='edited']").isEmpty());
        assertEquals(404, server.get("/api/v1/alerts/rules/edited").status());
        assertFalse(browser.find("#rule-error").isDisplayed());
    }

    @Test
    void shouldShowTheSystemAndTheGpuSeries() {
        tab("system");
        browser.until(d -> !browser.all("#gpu-panel td").isEmpty()
            && browser.all("#gpu-panel td").stream().anyMatch(td -> td.getText().equals("gpu.utilization")));
        browser.until(d -> !browser.all("#chart-system canvas").isEmpty());
        final long heap = server.get("/api/v1/system").json().get("jvm").get("heap").get("maxBytes").asLong();
        assertEquals(String.format(Locale.ROOT, "%.1f MB", heap / 1048576.0),
            browser.find("#system-panel dd[data-field='Heap max']").getText());
    }

    @Test
    void shouldListRunsWithProgressAndOpenARunsPage() {
        tab("runs");
        browser.until(d -> !browser.all("#runs-table tr[data-key='eval-1']").isEmpty());
        final JsonNode run = server.get("/api/v1/runs/eval-1").json();
        assertEquals("running", browser.find("#runs-table tr[data-key='eval-1'] td[data-col='status']").getText());
        browser.find("#runs-table button[data-run='eval-1']").sendKeys(Keys.ENTER);
        browser.until(d -> browser.find("#run-detail").isDisplayed());
        browser.until(d -> !browser.all("#run-chart canvas").isEmpty());
        assertEquals(String.format(Locale.ROOT, "%,d", run.get("events").asLong()),
            browser.find("#run-summary dd[data-field='Events']").getText());
        assertEquals(String.format(Locale.ROOT, "%.1f", run.get("latencyMs").get("p95").asDouble()),
            browser.find("#run-summary dd[data-field='P95 ms']").getText());
        assertEquals(2, browser.all("#run-steps tbody tr").size());
    }
}
