package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of an event and of a price are written once: an event the embedded store refuses, the server refuses
 * too, with 422 naming the same field in the same words, and stores nothing of it.
 */
@Timeout(60)
class EmbeddedAndHttpRefusalTest {
    @TempDir
    static Path data;
    static TestServer server;
    static EmbeddedStore embedded;

    @BeforeAll
    static void start() {
        server = new TestServer(new ServerConfig().maxStringLength(256), data);
        embedded = EmbeddedStore.open(new StoreConfig().maxStringLength(256));
    }

    @AfterAll
    static void stop() {
        server.close();
        embedded.close();
    }

    /**
     * Records an event embedded and posts the same event as JSON; both must be refused alike.
     *
     * @param json  the event as the server reads it.
     * @param event fills the same event through the client's setters.
     * @param field the field both must name.
     */
    private static void assertRefusedAlike(final String json, final Consumer<Event> event, final String field) {
        final InvalidEventException inProcess = assertThrows(InvalidEventException.class, () -> {
            final Event e = new Event();
            event.accept(e);
            embedded.record(e);
        });
        final TestServer.Reply r = server.post("/api/v1/events", TestServer.JSON, "[" + json + "]");
        assertEquals(422, r.status(), r.body());
        final JsonNode reply = r.json();
        assertEquals(field, inProcess.field());
        assertEquals(field, reply.get("field").asText(), r.body());
        assertEquals(0, reply.get("index").asInt(), r.body());
        assertEquals(inProcess.getMessage(), reply.get("error").asText());
    }

    @Test
    void shouldRefuseEveryBadEventIdenticallyEmbeddedAndOverHttp() {
        assertRefusedAlike("{\"model\":\"alike\",\"latencyMs\":-3}", e -> e.model("alike").latencyMs(-3.0),
            "latencyMs");
        assertRefusedAlike("{\"model\":\"alike\",\"latencyMs\":1e400}",
            e -> e.model("alike").latencyMs(Double.POSITIVE_INFINITY), "latencyMs");
        assertRefusedAlike("{\"latencyMs\":1}", e -> e.latencyMs(1.0), "model");
        assertRefusedAlike("{\"model\":\"alike\"}", e -> e.model("alike"), "latencyMs");
        assertRefusedAlike("{\"model\":\"alike\",\"latencyMs\":1,\"promptTokens\":-1}",
            e -> e.model("alike").latencyMs(1.0).promptTokens(-1), "promptTokens");
        assertRefusedAlike("{\"model\":\"alike\",\"latencyMs\":1,\"status\":\"meh\"}",
            e -> e.model("alike").latencyMs(1.0).status(Status.parse("meh")), "status");
        // each numeric field has a range: past it, refused alike (a 1e300 latency once skewed every percentile)
        assertRefusedAlike("{\"model\":\"alike\",\"latencyMs\":1e300}", e -> e.model("alike").latencyMs(1e300),
            "latencyMs");
        assertRefusedAlike("{\"model\":\"alike\",\"latencyMs\":86400000.001}",
            e -> e.model("alike").latencyMs(86_400_000.001), "latencyMs");
        assertRefusedAlike("{\"model\":\"alike\",\"latencyMs\":1,\"ttftMs\":1e20}",
            e -> e.model("alike").latencyMs(1.0).ttftMs(1e20), "ttftMs");
        assertRefusedAlike("{\"model\":\"alike\",\"latencyMs\":1,\"queueWaitMs\":9e15}",
            e -> e.model("alike").latencyMs(1.0).queueWaitMs(9e15), "queueWaitMs");
        assertRefusedAlike("{\"model\":\"alike\",\"latencyMs\":1,\"completionTokens\":2147483648}",
            e -> e.model("alike").latencyMs(1.0).completionTokens(2_147_483_648L), "completionTokens");
        assertRefusedAlike("{\"model\":\"alike\",\"latencyMs\":1,\"cpuMs\":1e300}",
            e -> e.model("alike").latencyMs(1.0).cpuMs(1e300), "cpuMs");
        assertRefusedAlike("{\"model\":\"alike\",\"latencyMs\":1,\"memoryBytes\":1125899906842625}",
            e -> e.model("alike").latencyMs(1.0).memoryBytes((1L << 50) + 1), "memoryBytes");
        final long future = System.currentTimeMillis() + 3_600_000;
        assertRefusedAlike("{\"model\":\"alike\",\"latencyMs\":1,\"timestamp\":" + future + "}",
            e -> e.model("alike").latencyMs(1.0).timestampMs(future), "timestamp");
        final String longModel = "m".repeat(257);
        assertRefusedAlike("{\"model\":\"" + longModel + "\",\"latencyMs\":1}",
            e -> e.model(longModel).latencyMs(1.0), "model");
        final String longTag = "v".repeat(300);
        assertRefusedAlike("{\"model\":\"alike\",\"latencyMs\":1,\"tags\":{\"k\":\"" + longTag + "\"}}",
            e -> e.model("alike").latencyMs(1.0).tag("k", longTag), "tags");
        assertEquals(0, server.count("alike"));
        final long now = System.currentTimeMillis();
        assertEquals(0, embedded.aggregates().window("alike", now - 3_600_000, now + 1,
            embedded.aggregates().newWindowStats()).count());
    }

    @Test
    void shouldAcceptTheEdgeOfEveryRangeEmbeddedAndOverHttp() {
        final Event e = new Event().model("edges").latencyMs(86_400_000).ttftMs(86_400_000).queueWaitMs(86_400_000)
            .promptTokens(Integer.MAX_VALUE).completionTokens(0).cpuMs(86_400_000_000.0).memoryBytes(1L << 50);
        assertTrue(embedded.record(e));
        final TestServer.Reply r = server.post("/api/v1/events", TestServer.JSON, "[{\"model\":\"edges\","
            + "\"latencyMs\":86400000,\"ttftMs\":86400000,\"queueWaitMs\":86400000,\"promptTokens\":2147483647,"
            + "\"completionTokens\":0,\"cpuMs\":86400000000,\"memoryBytes\":1125899906842624}]");
        assertEquals(202, r.status(), r.body());
        assertEquals(1, server.count("edges"));
        final TestServer.Reply stats = server.get("/api/v1/analytics?window=1h&model=edges");
        assertEquals(86_400_000, stats.json().get("latencyMs").get("max").asDouble(), 86_400_000 * 0.01,
            "the longest latency a histogram keeps, within its precision: " + stats.body());
    }

    @Test
    void shouldRefuseADimensionPastItsCardinalityLimitIdenticallyEmbeddedAndOverHttp() {
        // the default limit of quality names is 32: the 33rd new one is refused, embedded and over HTTP alike
        final Event e = new Event();
        for (int i = 0; i < 32; i++) {
            assertTrue(embedded.record(e.reset().model("limit").latencyMs(1.0).quality("q" + i, 1)));
        }
        final InvalidEventException inProcess = assertThrows(InvalidEventException.class,
            () -> embedded.record(e.reset().model("limit").latencyMs(1.0).quality("q32", 1)));

        final StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 33; i++) {
            body.append(i == 0 ? "" : ",").append("{\"model\":\"limit\",\"latencyMs\":1,\"quality\":{\"q")
                .append(i).append("\":1}}");
        }
        final TestServer.Reply r = server.post("/api/v1/events", TestServer.JSON, body.append(']').toString());
        assertEquals(422, r.status(), r.body());
        assertEquals(inProcess.field(), r.json().get("field").asText());
        assertEquals(32, r.json().get("index").asInt());
        assertEquals(inProcess.getMessage(), r.json().get("error").asText());
        assertEquals(0, server.count("limit"));
    }

    @Test
    void shouldRefuseABadPriceIdenticallyEmbeddedAndOverHttp() {
        final InvalidEventException negative = assertThrows(InvalidEventException.class,
            () -> embedded.setPrice("priced", -1, 2));
        final TestServer.Reply r = server.put("/api/v1/pricing/priced",
            "{\"inputUsdPerMillion\":-1,\"outputUsdPerMillion\":2}");
        assertEquals(422, r.status(), r.body());
        assertEquals(negative.field(), r.json().get("field").asText());
        assertEquals(negative.getMessage(), r.json().get("error").asText());

        final String longModel = "p".repeat(257);
        final InvalidEventException tooLong = assertThrows(InvalidEventException.class,
            () -> embedded.setPrice(longModel, 1, 2));
        final TestServer.Reply s = server.put("/api/v1/pricing/" + longModel,
            "{\"inputUsdPerMillion\":1,\"outputUsdPerMillion\":2}");
        assertEquals(422, s.status(), s.body());
        assertEquals(tooLong.field(), s.json().get("field").asText());
        assertEquals(tooLong.getMessage(), s.json().get("error").asText());

        assertEquals(404, server.get("/api/v1/pricing/priced").status(), "a refused price is not set");
        assertNull(embedded.aggregates().price("priced"));
    }
}
