package dev.ringmeter.server.cli;

import dev.ringmeter.core.test.ChildJvm;
import dev.ringmeter.server.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ringmeter mock-llm} as a real process: it serves the models it was given, and refuses bad options. */
@Timeout(120)
class MockLlmCommandTest {
    @Test
    void mockLlmServesUntilKilled() throws Exception {
        final Process child = new ProcessBuilder(ChildJvm.command(Main.class, "mock-llm", "--port", "0",
            "--model", "alpha", "--ttft-ms", "1")).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            String url = null;
            while (url == null && (line = out.readLine()) != null) {   // ends when the child does
                if (line.startsWith("mock-llm listening on ")) {
                    url = line.substring("mock-llm listening on ".length()).split(" ")[0];
                }
            }
            assertNotNull(url, "the child printed where it listens");
            final HttpResponse<String> models = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(url + "/models")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, models.statusCode());
            assertTrue(models.body().contains("\"alpha\""), models.body());
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
    }

    /**
     * The process has none of the test JVM's system properties: without TCP_NODELAY set by mock-llm itself, a first
     * chunk written right after the headers waited for the client's delayed ACK (up to 40 ms), so a 1 ms TTFT was
     * seen as about 40.
     */
    @Test
    void aShortTtftIsNotHeldBackByADelayedAckInTheRealProcess() throws Exception {
        final Process child = new ProcessBuilder(ChildJvm.command(Main.class, "mock-llm", "--port", "0",
            "--ttft-ms", "1", "--itl-ms", "1", "--output-tokens", "3")).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            String url = null;
            while (url == null && (line = out.readLine()) != null) {   // ends when the child does
                if (line.startsWith("mock-llm listening on ")) {
                    url = line.substring("mock-llm listening on ".length()).split(" ")[0];
                }
            }
            assertNotNull(url, "the child printed where it listens");
            final HttpClient client = HttpClient.newHttpClient();
            final long[] ttftNs = new long[21];
            for (int i = 0; i < ttftNs.length; i++) {
                final long sent = System.nanoTime();
                final HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(URI.create(url
                    + "/chat/completions")).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"stream\":"
                    + "true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
                try (BufferedReader body = new BufferedReader(new InputStreamReader(r.body(),
                    StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = body.readLine()) != null && !l.startsWith("data: ")) {
                        // up to the first chunk
                    }
                    ttftNs[i] = System.nanoTime() - sent;
                    while (body.readLine() != null) {
                        // the rest of the stream
                    }
                }
            }
            java.util.Arrays.sort(ttftNs);
            assertTrue(ttftNs[ttftNs.length / 2] < TimeUnit.MILLISECONDS.toNanos(25), "median TTFT "
                + ttftNs[ttftNs.length / 2] + " ns for an injected 1 ms: " + java.util.Arrays.toString(ttftNs));
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void badOptionsExitWithTheUsageCode() {
        assertEquals(RingmeterCommand.EXIT_USAGE, RingmeterCommand.execute(new String[] {"mock-llm", "--error-kind",
            "503"}));
        assertEquals(RingmeterCommand.EXIT_USAGE, RingmeterCommand.execute(new String[] {"mock-llm", "--ttft-ms",
            "-1"}));
        assertEquals(RingmeterCommand.EXIT_USAGE, RingmeterCommand.execute(new String[] {"mock-llm",
            "--tokens-per-chunk", "0"}));
        assertEquals(RingmeterCommand.EXIT_USAGE, RingmeterCommand.execute(new String[] {"mock-llm", "--itl-ms",
            "gamma:1,2"}));
        assertEquals(RingmeterCommand.EXIT_USAGE, RingmeterCommand.execute(new String[] {"mock-llm", "--model",
            "slow=latency:4"}));
        assertEquals(RingmeterCommand.EXIT_USAGE, RingmeterCommand.execute(new String[] {"mock-llm",
            "--concurrency-slope", "-1"}));
    }
}
