package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.dictionary.Dimension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model limit of a real server: derived from its heap unless {@code --limit model=N} sets it, shown with every
 * other limit in /api/v1/system, and named, with how to raise it, in the 422 that refuses one model too many.
 */
@Timeout(60)
class ModelLimitTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseOneModelPastMaxModelsNamingTheLimitAndHowToRaiseIt() {
        try (TestServer server = new TestServer(new ServerConfig().limit(Dimension.MODEL, 2), dir.resolve("data"))) {
            assertEquals(202, events(server, "[{\"model\":\"a\",\"latencyMs\":1},{\"model\":\"b\",\"latencyMs\":1}]")
                .status());
            final TestServer.Reply refused = events(server, "[{\"model\":\"a\",\"latencyMs\":1},"
                + "{\"model\":\"c\",\"latencyMs\":1}]");
            assertEquals(422, refused.status(), refused.body());
            assertEquals("model", refused.json().get("field").asText());
            assertEquals(1, refused.json().get("index").asInt());
            final String error = refused.json().get("error").asText();
            assertTrue(error.startsWith("model has reached its cardinality limit of 2 distinct values, kept for the store's life; "), error);
            assertTrue(error.contains("--limit model=N") && error.matches(".*4 models need -Xmx\\d+m.*"), error);
            assertEquals(1, server.count("a"), "the refused batch stored nothing");

            final JsonNode limits = server.get("/api/v1/system").json().get("store").get("limits");
            assertEquals(2, limits.get("dimensions").get("model").get("limit").asInt());
            assertFalse(limits.get("dimensions").get("model").get("derived").asBoolean());
            assertTrue(limits.get("dimensions").get("run").get("derived").asBoolean());
            assertEquals(0.5, limits.get("heapShare").asDouble());
            assertEquals(Runtime.getRuntime().maxMemory(), limits.get("maxHeapBytes").asLong());
        }
    }

    @Test
    void shouldDeriveTheModelLimitFromTheHeapShareByDefault() {
        try (TestServer server = new TestServer(new ServerConfig().heapShare(0.25), dir.resolve("data"))) {
            final JsonNode limits = server.get("/api/v1/system").json().get("store").get("limits");
            final JsonNode model = limits.get("dimensions").get("model");
            assertTrue(model.get("derived").asBoolean());
            assertEquals(0.25, limits.get("heapShare").asDouble());
            assertEquals((long)(0.25 * Runtime.getRuntime().maxMemory()), limits.get("budgetBytes").asLong());
            assertTrue(limits.get("bytesAtLimits").asLong() <= limits.get("budgetBytes").asLong(), limits.toString());
            final long perModel = model.get("bytesEach").asLong();
            // the models take half of what the dimensions without aggregates of their own leave, the pipelines,
            // pipeline steps, tools and agents an eighth each
            long subjects = 0;
            for (final String kind : new String[] {"model", "pipeline", "step", "tool", "agent"}) {
                final JsonNode d = limits.get("dimensions").get(kind);
                subjects += d.get("limit").asLong() * d.get("bytesEach").asLong();
            }
            final long left = limits.get("budgetBytes").asLong() - (limits.get("bytesAtLimits").asLong() - subjects);
            assertTrue(model.get("limit").asInt() == 1000 || (model.get("limit").asLong() + 1) * perModel > left / 2,
                "as many models as fit in half of what is left, or the cap: " + limits);
            assertFalse(limits.get("exceeded").asBoolean());
        }
    }

    private static TestServer.Reply events(final TestServer server, final String body) {
        return server.post("/api/v1/events", TestServer.JSON, body);
    }
}
