package dev.ringmeter.server;

import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * Headless Debian Chromium driven through /usr/bin/chromedriver, for the dashboard's browser tests: one per test
 * class (starting it costs about a second), with the browser's console log (goog:loggingPrefs browser=ALL) and a
 * download directory of its own. Waits poll a condition with a deadline ({@link WebDriverWait}), never sleep.
 * <p>
 * Threading: one test thread at a time, as WebDriver itself.
 */
final class DashboardBrowser implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);

    final WebDriver driver;
    final Path downloads;
    private final ChromeDriverService service;
    private final List<LogEntry> console = new ArrayList<>();

    DashboardBrowser(final Path downloads) {
        this.downloads = downloads;
        final ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--window-size=1280,1000");
        final LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        final Map<String, Object> prefs = new HashMap<>();
        prefs.put("download.default_directory", downloads.toAbsolutePath().toString());
        prefs.put("download.prompt_for_download", false);
        options.setExperimentalOption("prefs", prefs);
        this.service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
            .usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
    }

    /** Waits for a condition (a non-null, non-false value) and returns it. */
    <T> T until(final ExpectedCondition<T> condition) {
        return new WebDriverWait(driver, WAIT).until(condition);
    }

    WebElement find(final String cssSelector) {
        return driver.findElement(By.cssSelector(cssSelector));
    }

    List<WebElement> all(final String cssSelector) {
        return driver.findElements(By.cssSelector(cssSelector));
    }

    /** @return the console entries at SEVERE (errors, failed loads, uncaught exceptions) since the last call. */
    List<String> consoleErrors() {
        for (final LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            console.add(e);
        }
        final List<String> errors = new ArrayList<>();
        for (final LogEntry e : console) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(e.getMessage());
            }
        }
        console.clear();
        return errors;
    }

    /** @return the completed downloads (Chromium's partial files, .crdownload, left out). */
    List<Path> downloaded() {
        try (Stream<Path> files = Files.list(downloads)) {
            return files.filter(p -> !p.getFileName().toString().endsWith(".crdownload")).toList();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
