package dev.ringmeter.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard's live parts in headless Chromium against real servers: tiles updated from the stream within 3 s of
 * a POSTed event, the stream badge (live, then down when the server goes), the token prompt and its session cookie,
 * the event log's pause and filter, and every panel without a console error. They need the server's session and
 * live routes (docs/dashboard.md).
 */
@Timeout(120)
class DashboardLiveBrowserTest {
    private static final String TOKEN = "dashboard-live-token";

    @TempDir
    static Path data;
    @TempDir
    static Path downloads;
    static TestServer server;
    static DashboardBrowser browser;

    @BeforeAll
    static void start() {
        server = new TestServer(new ServerConfig().alertEvalMs(200), data);
        browser = new DashboardBrowser(downloads);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        server.close();
    }

    private static void post(final TestServer to, final String ndjson) {
        assertEquals(202, to.post("/api/v1/events", TestServer.NDJSON, ndjson).status());
    }

    private static void openLive(final TestServer at) {
        browser.driver.get(at.base + "/");
        browser.until(d -> "true".equals(browser.find("body").getAttribute("data-ready")));
        browser.until(d -> "live".equals(browser.find("#stream-state").getText()));
    }

    @Test
    void shouldShowAPostedEventOnItsTileWithinThreeSeconds() {
        openLive(server);
        post(server, "{\"model\":\"tile-model\",\"latencyMs\":420,\"ttftMs\":100,\"completionTokens\":30}\n");
        final long posted = System.nanoTime();
        new WebDriverWait(browser.driver, Duration.ofSeconds(3)).until(d -> {
            final List<WebElement> tile = browser.all(".tile[data-model='tile-model'] [data-field='requests']");
            return !tile.isEmpty() && !tile.get(0).getText().equals("0");
        });
        assertTrue(System.nanoTime() - posted < Duration.ofSeconds(3).toNanos());
        assertEquals("1", browser.find(".tile[data-model='tile-model'] [data-field='requests']").getText());
        final double p50 = Double.parseDouble(browser.find(".tile[data-model='tile-model'] [data-field='p50Ms']")
            .getAttribute("data-value"));
        assertEquals(420, p50, 420 * 0.01, "P50 within the histograms' 1 %");
        assertEquals("live", browser.find("#stream-state").getAttribute("data-state"));
    }

    @Test
    void shouldSayTheStreamIsDownWhenTheServerGoes(@TempDir final Path otherData) {
        final TestServer other = new TestServer(new ServerConfig(), otherData);
        try {
            openLive(other);
        } finally {
            other.close();
        }
        browser.until(d -> "stream down".equals(browser.find("#stream-state").getText()));
        assertEquals("down", browser.find("#stream-state").getAttribute("data-state"));
    }

    @Test
    void shouldAskForTheTokenOnceAndStreamWithTheSessionCookie(@TempDir final Path tokenData) {
        final TestServer guarded = new TestServer(new ServerConfig().token(TOKEN), tokenData);
        try {
            guarded.token = null;
            final TestServer.Reply refused = guarded.get("/api/v1/live");   // neither header nor cookie
            assertEquals(401, refused.status());
            assertTrue(refused.raw().headers().firstValue("Content-Type").orElse("").startsWith("application/json"));

            browser.driver.manage().deleteAllCookies();
            browser.driver.get(guarded.base + "/");
            browser.until(d -> browser.find("#login").isDisplayed());
            browser.find("#login-token").sendKeys("wrong");
            browser.find("#login-submit").click();
            browser.until(d -> !browser.find("#login-error").getText().isEmpty());
            assertTrue(browser.find("#login").isDisplayed());

            browser.find("#login-token").sendKeys(TOKEN);
            browser.find("#login-submit").click();
            browser.until(d -> !browser.find("#login").isDisplayed());
            browser.until(d -> "live".equals(browser.find("#stream-state").getText()));
            final Cookie session = browser.driver.manage().getCookieNamed("ringmeter_session");
            assertNotNull(session);
            assertTrue(session.isHttpOnly());
            assertEquals("Strict", session.getSameSite());
            final Object stored = ((JavascriptExecutor) browser.driver)
                .executeScript("return localStorage.length + sessionStorage.length");
            assertEquals(0L, stored);
            assertFalse(browser.driver.getPageSource().contains(TOKEN));
        } finally {
            guarded.close();
            browser.driver.manage().deleteAllCookies();
        }
    }

    @Test
    void shouldPauseAndFilterTheEventLog() {
        openLive(server);
        browser.find("#tab-events").click();
        post(server, "{\"model\":\"log-model\",\"latencyMs\":10,\"status\":\"ok\"}\n"
            + "{\"model\":\"log-model\",\"latencyMs\":20,\"status\":\"error\",\"errorType\":\"boom\"}\n");
        browser.until(d -> browser.all("#event-log li[data-model='log-model']").size() == 2);

        browser.find("#events-pause").click();
        assertEquals("true", browser.find("#events-pause").getAttribute("aria-pressed"));
        post(server, "{\"model\":\"held-model\",\"latencyMs\":30}\n");
        browser.until(d -> browser.find("#events-info").getText().contains("1 new held"));
        assertTrue(browser.all("#event-log li[data-model='held-model']").isEmpty());
        browser.find("#events-pause").click();
        browser.until(d -> browser.all("#event-log li[data-model='held-model']").size() == 1);

        browser.find("#events-filter").sendKeys("boom");
        browser.until(d -> browser.all("#event-log li").stream().filter(WebElement::isDisplayed).count() == 1);
        final WebElement shown = browser.all("#event-log li").stream().filter(WebElement::isDisplayed).findFirst()
            .orElseThrow();
        assertEquals("error", shown.getAttribute("data-status"));
        assertTrue(shown.getText().contains("error"), "the status is written, not only coloured");
        browser.find("#events-filter").clear();
    }

    @Test
    void shouldShowEveryPanelWithoutAConsoleError() {
        post(server, "{\"model\":\"console-model\",\"latencyMs\":50,\"pipeline\":\"p\",\"step\":\"s\"}\n");
        openLive(server);
        browser.consoleErrors();
        browser.driver.navigate().refresh();
        browser.until(d -> "live".equals(browser.find("#stream-state").getText()));
        browser.until(d -> !browser.all("#chart-latency canvas").isEmpty());
        for (final String tab : new String[] {"compare", "runs", "events", "alerts", "system", "overview"}) {
            browser.find("#tab-" + tab).click();
            browser.until(d -> browser.find("#panel-" + tab).isDisplayed());
        }
        browser.until(d -> !browser.all(".tile[data-model='console-model']").isEmpty());
        assertEquals(List.of(), browser.consoleErrors());
    }
}
