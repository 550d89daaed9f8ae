package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real Prometheus (the Debian {@code prometheus} binary) in a child process: its configuration, its TSDB and its
 * log in a temporary directory, its HTTP API on a free port, scraping one target every second. Its HTTP API is
 * queried with {@link #query}; {@link #await} polls a query until a condition holds or its deadline passes.
 */
final class RealPrometheus implements AutoCloseable {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final Process process;
    private final Path log;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final String base;

    /**
     * @param binary the prometheus executable.
     * @param dir    for the configuration, the TSDB and the log.
     * @param target host:port of the server scraped at /metrics.
     */
    private RealPrometheus(final File binary, final Path dir, final String target) throws IOException {
        final int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        final Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
            + "scrape_configs:\n  - job_name: ringmeter\n    metrics_path: /metrics\n"
            + "    static_configs:\n      - targets: ['" + target + "']\n");
        log = dir.resolve("prometheus.log");
        process = new ProcessBuilder(binary.getPath(), "--config.file=" + config,
            "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        base = "http://127.0.0.1:" + port;
    }

    /**
     * Starts Prometheus and waits until it is ready.
     *
     * @param dir    a temporary directory of its own.
     * @param target host:port of the server it scrapes.
     * @return it, or null when no {@code prometheus} is on the PATH.
     */
    static RealPrometheus start(final Path dir, final String target) throws Exception {
        final File binary = PrometheusMetricsTest.findOnPath("prometheus");
        if (binary == null) {
            return null;
        }
        final RealPrometheus p = new RealPrometheus(binary, dir, target);
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            if (!p.process.isAlive()) {
                throw new AssertionError("prometheus exited: " + p.log());
            }
            try {
                if (p.client.send(HttpRequest.newBuilder(URI.create(p.base + "/-/ready")).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return p;
                }
            } catch (final IOException notYetListening) {
                // polled again below
            }
            if (System.nanoTime() > deadline) {
                p.close();
                throw new AssertionError("prometheus not ready in " + DEADLINE + ": " + p.log());
            }
            Thread.sleep(50);
        }
    }

    /**
     * @param path a path of the HTTP API with its query string.
     * @return the reply parsed, which must say status success.
     */
    JsonNode api(final String path) {
        try {
            final HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            final JsonNode j = TestServer.MAPPER.readTree(r.body());
            if (r.statusCode() != 200 || !"success".equals(j.path("status").asText())) {
                throw new AssertionError(path + ": " + r.statusCode() + " " + r.body());
            }
            return j.get("data");
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param promql an instant query.
     * @return its result array (status success asserted).
     */
    JsonNode query(final String promql) {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).get("result");
    }

    /**
     * Polls a query until its result holds a condition.
     *
     * @param promql an instant query.
     * @param done   the condition on its result array.
     * @return the result that held it.
     */
    JsonNode await(final String promql, final Predicate<JsonNode> done) throws InterruptedException {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            final JsonNode result = query(promql);
            if (done.test(result)) {
                return result;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(promql + " did not get there in " + DEADLINE + ": " + result
                    + "; targets: " + api("/api/v1/targets"));
            }
            Thread.sleep(100);
        }
    }

    /** @return the first value of an instant vector result, or NaN when it is empty. */
    static double value(final JsonNode result) {
        return result.size() == 0 ? Double.NaN : Double.parseDouble(result.get(0).get("value").get(1).asText());
    }

    private String log() {
        try {
            return Files.readString(log);
        } catch (final IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(20, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
