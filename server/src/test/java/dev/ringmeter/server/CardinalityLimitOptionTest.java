package dev.ringmeter.server;

import dev.ringmeter.core.dictionary.Dimension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --limit DIMENSION=N} sets a dimension's cardinality limit; a refusal says what it counts and how to raise it. */
@Timeout(60)
class CardinalityLimitOptionTest {
    @TempDir
    Path data;

    @Test
    void shouldReadRepeatedLimitsFromFlagsOverTheEnvironment() {
        final ServerConfig c = ServerConfig.parse(new String[] {"--limit", "run=500", "--limit=tag-value=7"},
            Map.of("RINGMETER_LIMITS", "run=9,task=300"));
        assertEquals(Map.of(Dimension.RUN, 500, Dimension.TASK, 300, Dimension.TAG_VALUE, 7), c.limits());
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.parse(new String[] {"--limit", "runs=5"}, Map.of())).getMessage().contains("tag-value"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.parse(new String[] {"--limit", "run=0"}, Map.of())).getMessage()
            .contains("--limit run must be 1 to"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.parse(new String[] {"--limit", "run"}, Map.of())).getMessage()
            .contains("DIMENSION=N"));
    }

    @Test
    void shouldRefuseABatchPastALiveLimitNamingItAndHowToRaiseIt() {
        try (TestServer server = new TestServer(ServerConfig.parse(new String[] {"--limit", "run=2"}, Map.of()),
            data)) {
            final TestServer.Reply r = server.post("/api/v1/events", TestServer.JSON,
                "[{\"model\":\"m\",\"latencyMs\":1,\"run\":\"a\"},{\"model\":\"m\",\"latencyMs\":1,\"run\":\"b\"},"
                    + "{\"model\":\"m\",\"latencyMs\":1,\"run\":\"c\"}]");
            assertEquals(422, r.status(), r.body());
            assertEquals("run", r.json().get("field").asText());
            assertEquals(2, r.json().get("index").asInt());
            final String error = r.json().get("error").asText();
            assertTrue(error.startsWith("run has 2 live values, its cardinality limit (a value is live while it was"
                + " used within the last 600 s"), error);
            assertTrue(error.endsWith("--limit run=N"), error);
            assertEquals(202, server.post("/api/v1/events", TestServer.JSON,
                "[{\"model\":\"m\",\"latencyMs\":1,\"run\":\"a\"},{\"model\":\"m\",\"latencyMs\":1,\"run\":\"b\"}]")
                .status());
            assertEquals(2, server.count("m"));
        }
    }
}
