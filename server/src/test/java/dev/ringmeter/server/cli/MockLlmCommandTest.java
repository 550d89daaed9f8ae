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
