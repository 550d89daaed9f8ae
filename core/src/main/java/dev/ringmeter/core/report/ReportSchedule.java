package dev.ringmeter.core.report;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.watch.alert.DeliverySettings;
import dev.ringmeter.core.watch.alert.JsonText;
import dev.ringmeter.core.watch.alert.NoticeDispatcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Scheduled reports: one report per period of {@code everyMs}, periods aligned to the epoch in UTC (every 24 h: each
 * UTC day), written to a directory (the Markdown and the HTML, {@code report-FROM.md} and {@code .html}, each by an
 * atomic rename) and/or POSTed to a webhook as JSON ({@code from}, {@code to}, {@code title}, {@code markdown},
 * {@code html}), retried with the alert notices' backoff ({@link DeliverySettings#backoffMs}, Retry-After honoured
 * by {@link NoticeDispatcher#retryAfterMs}) on connection errors, 408, 429 and 5xx.
 * <p>
 * Exactly one report per period across restarts: the end of the last period delivered is kept in
 * {@value #STATE_FILE} in the data directory, written atomically after the period's file and webhook both succeeded;
 * at start the schedule resumes from it, reporting the periods that ended while the store was down, oldest first.
 * A first start reports from the period under way (no back-fill). If a delivery fails its period is tried again
 * at the next check; a crash between a delivery and the state write repeats that one period (at least once).
 * At most {@value #MAX_CATCH_UP} missed periods are reported after a long stop; older ones are skipped.
 * <p>
 * Memory: one report at a time (bounded by {@link Reports}'s limits). Threading: {@link #runDue()} may be called on
 * any thread and is synchronized; {@link #start()} runs it on one daemon thread ({@value #THREAD_NAME}) every
 * {@link #checkMs()}; {@link #close()}, from any thread, stops that thread, interrupting a delivery under way.
 */
public final class ReportSchedule implements AutoCloseable {
    /** The file in the data directory holding the end of the last period delivered, epoch ms. */
    public static final String STATE_FILE = "report-schedule.state";
    /** The thread's name. */
    public static final String THREAD_NAME = "ringmeter-report-schedule";
    /** The most missed periods reported after a stop. */
    public static final int MAX_CATCH_UP = 7;
    /** The shortest period. */
    public static final long MIN_EVERY_MS = 1_000;
    /** Attempts of one webhook delivery within one check. */
    static final int MAX_ATTEMPTS = 5;
    private static final System.Logger LOG = System.getLogger(ReportSchedule.class.getName());

    private final EmbeddedStore store;
    private final long everyMs;
    private final Path directory;
    private final URI webhook;
    private final DeliverySettings delivery;
    private final Path stateFile;
    private HttpClient http;
    /** Guarded by {@link #threadLock}, not by this, so that {@link #close()} interrupts a delivery under way. */
    private ScheduledExecutorService thread;
    private final Object threadLock = new Object();
    private long lastEndMs;

    /**
     * @param store     a durable store (the state is kept in its data directory).
     * @param everyMs   the period, at least {@value #MIN_EVERY_MS} ms.
     * @param directory where to write each report, or null.
     * @param webhook   where to POST each report, or null; at least one of the two.
     * @param delivery  timeouts and backoff of the webhook.
     * @throws IllegalArgumentException naming the bad setting.
     */
    public ReportSchedule(final EmbeddedStore store, final long everyMs, final Path directory, final URI webhook,
                          final DeliverySettings delivery) {
        if (everyMs < MIN_EVERY_MS) {
            throw new IllegalArgumentException("report-every must be at least " + MIN_EVERY_MS + " ms: " + everyMs);
        }
        if (directory == null && webhook == null) {
            throw new IllegalArgumentException("report-every needs report-dir or report-webhook");
        }
        if (webhook != null && !("http".equals(webhook.getScheme()) || "https".equals(webhook.getScheme()))) {
            throw new IllegalArgumentException("report-webhook must be an http or https URL: " + webhook);
        }
        if (store.config().dataDirectory() == null) {
            throw new IllegalArgumentException("report-every needs a durable store to keep its schedule");
        }
        this.store = store;
        this.everyMs = everyMs;
        this.directory = directory;
        this.webhook = webhook;
        this.delivery = delivery;
        this.stateFile = store.config().dataDirectory().resolve(STATE_FILE);
        try {
            if (directory != null) {
                Files.createDirectories(directory);
            }
            this.lastEndMs = Files.exists(stateFile)
                ? Long.parseLong(Files.readString(stateFile, StandardCharsets.US_ASCII).trim())
                : Math.floorDiv(store.config().clock().time(), everyMs) * everyMs;
        } catch (final IOException e) {
            throw new UncheckedIOException("report schedule: cannot read " + stateFile, e);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(stateFile + " does not hold a time in ms: " + e.getMessage(), e);
        }
    }

    /** @return how often the started thread looks for a period that ended: a hundredth of the period, 1 s to 60 s. */
    public long checkMs() {
        return Math.max(1_000, Math.min(60_000, everyMs / 100));
    }

    /** @return the end of the last period delivered, epoch ms. */
    public synchronized long lastEndMs() {
        return lastEndMs;
    }

    /** Runs {@link #runDue()} on a daemon thread every {@link #checkMs()}. */
    public void start() {
        synchronized (threadLock) {
            if (thread != null) {
                return;
            }
            thread = Executors.newSingleThreadScheduledExecutor(r -> {
                final Thread t = new Thread(r, THREAD_NAME);
                t.setDaemon(true);
                return t;
            });
            thread.scheduleWithFixedDelay(() -> {
                try {
                    runDue();
                } catch (final RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "scheduled report failed; tried again in "
                        + checkMs() + " ms: " + e);
                }
            }, 0, checkMs(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Delivers every period that has ended and was not delivered yet, oldest first, stopping at the first that fails.
     *
     * @return how many periods were delivered.
     * @throws UncheckedIOException if a report or the state could not be written, or the webhook refused it.
     */
    public synchronized int runDue() {
        final long now = store.config().clock().time();
        final long lastDue = Math.floorDiv(now, everyMs) * everyMs;
        if (lastDue - lastEndMs > MAX_CATCH_UP * everyMs) {
            lastEndMs = lastDue - MAX_CATCH_UP * everyMs;
        }
        int delivered = 0;
        while (lastEndMs + everyMs <= now) {
            final long from = lastEndMs;
            final Report report = Reports.build(store, ReportRequest.between(from, from + everyMs));
            deliver(report);
            lastEndMs = from + everyMs;
            atomicWrite(stateFile, Long.toString(lastEndMs));
            delivered++;
        }
        return delivered;
    }

    private void deliver(final Report report) {
        final String markdown = ReportFormat.MARKDOWN.render(report);
        final String html = ReportFormat.HTML.render(report);
        if (directory != null) {
            final String name = "report-" + ReportText.time(report.fromMs()).replace(":", "");
            atomicWrite(directory.resolve(name + ".md"), markdown);
            atomicWrite(directory.resolve(name + ".html"), html);
        }
        if (webhook != null) {
            final StringBuilder json = new StringBuilder(markdown.length() + html.length() + 256).append("{\"from\":");
            JsonText.time(json, report.fromMs()).append(",\"to\":");
            JsonText.time(json, report.toMs()).append(",\"title\":");
            JsonText.string(json, report.title()).append(",\"markdown\":");
            JsonText.string(json, markdown).append(",\"html\":");
            JsonText.string(json, html).append('}');
            post(json.toString());
        }
    }

    private void post(final String body) {
        if (http == null) {
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(delivery.connectTimeoutMs()))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        }
        final HttpRequest request = HttpRequest.newBuilder(webhook).timeout(Duration.ofMillis(delivery.requestTimeoutMs()))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        String failure = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            long waitMs = -1;
            try {
                final HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
                final int status = r.statusCode();
                if (status >= 200 && status < 300) {
                    return;
                }
                failure = "the webhook answered " + status;
                if (status != 408 && status != 429 && status < 500) {
                    break;
                }
                waitMs = NoticeDispatcher.retryAfterMs(r);
            } catch (final IOException e) {
                failure = "the webhook could not be reached: " + e;
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted while posting a report", e));
            }
            if (attempt < MAX_ATTEMPTS) {
                final long backoff = delivery.backoffMs(attempt, ThreadLocalRandom.current().nextDouble());
                try {
                    Thread.sleep(Math.min(delivery.maxDelayMs(), waitMs >= 0 ? waitMs : backoff));
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException(new IOException("interrupted while posting a report", e));
                }
            }
        }
        throw new UncheckedIOException(new IOException(failure + " (" + webhook + ")"));
    }

    /** Writes a file whole or not at all: a temporary file in the same directory renamed over it. */
    static void atomicWrite(final Path file, final String text) {
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (final AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Stops the thread, interrupting a delivery under way (its period is delivered after the next start). */
    @Override
    public void close() {
        final ScheduledExecutorService t;
        synchronized (threadLock) {
            t = thread;
            thread = null;
        }
        if (t != null) {
            t.shutdownNow();
            try {
                t.awaitTermination(delivery.requestTimeoutMs(), TimeUnit.MILLISECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
