package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.test.ChildJvm;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server as a real process on a real data directory: a batch acknowledged with 202 survives a SIGKILL of the
 * process, and a SIGTERM closes it cleanly (snapshot written, nothing to replay at the next start).
 */
@Tag("slow")
@Timeout(120)
class ServerProcessTest {
    private static final Pattern READY = Pattern.compile("event=ready port=(\\d+)");
    private static final Pattern LIMITS = Pattern.compile("event=limits heap budget .* model=(\\d+)");
    private static final Pattern RECOVERED = Pattern.compile("snapshot (loaded|absent), (\\d+) journal records");

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newHttpClient();

    private static final class Server {
        final Process process;
        final int port;
        final String recovery;
        final int modelLimit;

        Server(final Process process, final int port, final String recovery, final int modelLimit) {
            this.process = process;
            this.port = port;
            this.recovery = recovery;
            this.modelLimit = modelLimit;
        }
    }

    private Server start() throws Exception {
        final List<String> command = ChildJvm.command(Main.class, "--port", "0", "--data", data.toString());
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final BufferedReader log = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        String recovery = null;
        int modelLimit = -1;
        String line;
        while ((line = log.readLine()) != null) {
            final Matcher recovered = RECOVERED.matcher(line);
            if (recovered.find()) {
                recovery = recovered.group(1) + " " + recovered.group(2);
            }
            final Matcher limits = LIMITS.matcher(line);
            if (limits.find()) {
                modelLimit = Integer.parseInt(limits.group(1));
            }
            final Matcher ready = READY.matcher(line);
            if (ready.find()) {
                final Thread drain = new Thread(() -> log.lines().forEach(l -> { }));
                drain.setDaemon(true);
                drain.start();
                return new Server(process, Integer.parseInt(ready.group(1)), recovery, modelLimit);
            }
        }
        throw new AssertionError("the server exited before it was ready: " + process.waitFor());
    }

    private int post(final Server server, final String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port + "/api/v1/events"))
            .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private long count(final Server server) throws Exception {
        final String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port
            + "/api/v1/analytics?model=gpt-4o&window=1h")).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        final JsonNode json = TestServer.MAPPER.readTree(body);
        return json.at("/count").asLong();
    }

    @Test
    void shouldKeepAcknowledgedEventsAcrossKillAndCleanStop() throws Exception {
        final long now = System.currentTimeMillis();
        final StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 1_000; i++) {
            batch.append("{\"model\":\"gpt-4o\",\"timestamp\":").append(now - 60_000 + i).append(",\"latencyMs\":")
                .append(10 + i).append("}\n");
        }
        final Server first = start();
        try {
            assertTrue(first.modelLimit >= 1, "the server logs the limits in force at start");
            assertEquals(202, post(first, batch.toString()));
            assertEquals(202, post(first, batch.toString()));
        } finally {
            first.process.destroyForcibly();   // SIGKILL: no shutdown hook, no snapshot
            first.process.waitFor(30, TimeUnit.SECONDS);
        }

        final Server second = start();
        try {
            assertTrue(second.recovery != null && second.recovery.startsWith("absent"), second.recovery);
            assertEquals(2_000, count(second), "every acknowledged event survives the kill");
            assertEquals(202, post(second, batch.toString()));
        } finally {
            second.process.destroy();   // SIGTERM: drain, snapshot, close
            assertTrue(second.process.waitFor(60, TimeUnit.SECONDS));
        }

        final Server third = start();
        try {
            assertEquals("loaded 0", third.recovery, "a clean stop leaves a snapshot and nothing to replay");
            assertEquals(3_000, count(third));
        } finally {
            third.process.destroy();
            third.process.waitFor(60, TimeUnit.SECONDS);
        }
    }
}
