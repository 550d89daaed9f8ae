package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.test.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A full disk, for real: the server runs as a child process on a small tmpfs, a filler file takes the tmpfs' last
 * byte, and the journal's writes fail (Chronicle meets the full disk as an {@link InternalError} on its mapped file).
 * Ingest then answers 503 naming the failure and /ready says read-only; once the filler is deleted, writes resume by
 * themselves, and after a SIGKILL and a restart every acknowledged batch is there, whole. Mounting a tmpfs needs root
 * (CI runs as root).
 */
@Tag("slow")
@Timeout(180)
class FullDiskTest {
    private static final Pattern READY = Pattern.compile("event=ready port=(\\d+)");
    private static final int BATCH = 200;

    @TempDir
    Path dir;

    private Path mount;
    private Process server;
    private int port;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void mountTmpfs() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
            "mounting a tmpfs needs root; this test runs where the build runs as root (CI)");
        mount = dir.resolve("tmpfs");
        Files.createDirectories(mount);
        run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString());
    }

    @AfterEach
    void unmount() throws Exception {
        if (server != null) {
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
        }
        if (mount != null) {
            run("umount", mount.toString());
        }
    }

    @Test
    void shouldRefuseWhileTheDiskIsFullAndResumeByItselfLosingNothingAcknowledged() throws Exception {
        final Path data = mount.resolve("data");
        start(data);
        final long now = System.currentTimeMillis();
        final List<Integer> acknowledged = new ArrayList<>();
        int batch = 0;
        assertEquals(202, post(batch(batch, now)).statusCode());
        acknowledged.add(batch++);

        final Path filler = mount.resolve("filler");
        fill(filler);
        HttpResponse<String> refused = null;
        final long fullDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (refused == null) {
            assertTrue(System.nanoTime() < fullDeadline, "the journal kept writing on a full disk");
            final HttpResponse<String> reply = post(batch(batch, now));
            if (reply.statusCode() == 202) {
                acknowledged.add(batch);   // the pages Chronicle had already touched still had room
            } else {
                refused = reply;
            }
            batch++;
        }
        assertEquals(503, refused.statusCode(), refused.body());
        final String error = TestServer.MAPPER.readTree(refused.body()).get("error").asText();
        assertTrue(error.contains("cannot write its journal") && error.contains("disk full"), error + "\n" + log());
        assertEquals("5", refused.headers().firstValue("Retry-After").orElse(null));

        final HttpResponse<String> again = post(batch(batch++, now));
        assertEquals(503, again.statusCode(), "refused while the disk stays full: " + again.body());
        assertTrue(again.body().contains("nothing of this batch was stored"), again.body());
        final HttpResponse<String> ready = get("/ready");
        assertEquals(503, ready.statusCode());
        final JsonNode readyJson = TestServer.MAPPER.readTree(ready.body());
        assertEquals("read-only", readyJson.get("status").asText());
        assertTrue(readyJson.get("reason").asText().contains("disk full"), ready.body());
        final JsonNode health = TestServer.MAPPER.readTree(get("/health").body());
        assertEquals("up", health.get("status").asText());
        assertEquals("read-only", health.get("store").asText());

        Files.delete(filler);
        final long resumeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (get("/ready").statusCode() != 200) {
            assertTrue(System.nanoTime() < resumeDeadline, "the journal did not resume once the disk had room");
            Thread.onSpinWait();
        }
        assertEquals("writable", TestServer.MAPPER.readTree(get("/health").body()).get("store").asText());
        for (int i = 0; i < 3; i++) {
            final HttpResponse<String> reply = post(batch(batch, now));
            assertEquals(202, reply.statusCode(), reply.body());
            acknowledged.add(batch++);
        }

        server.destroyForcibly();   // SIGKILL: what was acknowledged must be in the journal
        server.waitFor(30, TimeUnit.SECONDS);
        start(data);
        for (final int b : acknowledged) {
            assertEquals(BATCH, count("m-" + b), "acknowledged batch " + b + " is whole after the restart");
        }
        assertTrue(acknowledged.size() >= 4, "acknowledged before and after the outage: " + acknowledged);
    }

    /** Writes a file until the tmpfs has no byte left. */
    private static void fill(final Path filler) throws IOException {
        final byte[] chunk = new byte[64 << 10];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (final IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
    }

    /** A batch of {@value #BATCH} events, all of model {@code m-<n>}, so each batch is counted on its own. */
    private static String batch(final int n, final long now) {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < BATCH; i++) {
            b.append("{\"model\":\"m-").append(n).append("\",\"timestamp\":").append(now - 60_000 + i)
                .append(",\"latencyMs\":").append(10 + i).append(",\"run\":\"run-").append(n).append('-').append(i)
                .append("\"}\n");
        }
        return b.toString();
    }

    private void start(final Path data) throws Exception {
        final List<String> command = ChildJvm.command(Main.class, "--port", "0", "--data", data.toString());
        server = new ProcessBuilder(command).redirectErrorStream(true).start();
        final BufferedReader log = new BufferedReader(new InputStreamReader(server.getInputStream(),
            StandardCharsets.UTF_8));
        String line;
        while ((line = log.readLine()) != null) {
            final Matcher ready = READY.matcher(line);
            if (ready.find()) {
                port = Integer.parseInt(ready.group(1));
                final Path logFile = dir.resolve("server-" + port + ".log");   // off the tmpfs, to read on failure
                final Thread drain = new Thread(() -> {
                    try (java.io.Writer out = Files.newBufferedWriter(logFile)) {
                        for (String l = log.readLine(); l != null; l = log.readLine()) {
                            out.write(l);
                            out.write('\n');
                            out.flush();
                        }
                    } catch (final IOException ignored) {
                        // the server is gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return;
            }
        }
        throw new AssertionError("the server exited before it was ready: " + server.waitFor());
    }

    /** @return what the server has logged so far. */
    private String log() throws IOException {
        return Files.readString(dir.resolve("server-" + port + ".log"));
    }

    private HttpResponse<String> post(final String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/events"))
            .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(final String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private long count(final String model) throws Exception {
        return TestServer.MAPPER.readTree(get("/api/v1/analytics?model=" + model + "&window=1h").body())
            .at("/count").asLong();
    }

    private static void run(final String... command) throws Exception {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + output);
    }
}
