package dev.ringmeter.core.watch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.ringmeter.core.watch.alert.Outcomes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Prometheus Alertmanager (Debian's {@code prometheus-alertmanager}) run by a test as a child process on a
 * free port, with clustering off and a receiver that drops everything; ready when built.
 * <p>
 * Threading: one test thread.
 */
final class Alertmanager implements AutoCloseable {
    private static final String BINARY = "prometheus-alertmanager";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * Starts it and waits for {@code /-/ready}; fails the test, saying what to install, if the binary is absent.
     *
     * @param dir a directory of its own for the configuration, the storage and the log.
     */
    Alertmanager(final Path dir) throws IOException {
        final File binary = findOnPath(BINARY);
        if (binary == null) {
            fail(BINARY + " is not installed: install it (apt-get install prometheus-alertmanager; .ci/run does)"
                + " to run the Alertmanager delivery tests");
        }
        Files.createDirectories(dir);
        final Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
        final int port = freePort();
        base = "http://127.0.0.1:" + port;
        process = new ProcessBuilder(binary.getPath(), "--config.file=" + config,
            "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
            "--cluster.listen-address=").redirectErrorStream(true)
            .redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        await("Alertmanager's /-/ready", 30_000, () -> status(base + "/-/ready") == 200);
    }

    /** @return its base URL, what an {@link TargetKind#ALERTMANAGER} target names. */
    String base() {
        return base;
    }

    /** @return the alert of this rule id in {@code GET /api/v2/alerts}, or null. */
    JsonNode alert(final String ruleId) {
        try {
            final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v2/alerts"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            for (final JsonNode a : JSON.readTree(r.body())) {
                if (ruleId.equals(a.get("labels").path("rule_id").asText())) {
                    return a;
                }
            }
            return null;
        } catch (final IOException | InterruptedException e) {
            throw new AssertionError("GET /api/v2/alerts", e);
        }
    }

    /** @return whether the alert of this rule id is listed and active. */
    boolean active(final String ruleId) {
        final JsonNode a = alert(ruleId);
        return a != null && "active".equals(a.get("status").get("state").asText());
    }

    private int status(final String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (final IOException e) {
            return -1;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "Alertmanager stopped");
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static File findOnPath(final String name) {
        final String path = System.getenv("PATH");
        for (final String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            final File f = new File(dir, name);
            if (f.isFile() && f.canExecute()) {
                return f;
            }
        }
        return null;
    }
}
