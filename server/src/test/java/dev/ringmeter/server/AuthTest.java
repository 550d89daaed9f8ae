package dev.ringmeter.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

@Timeout(60)
class AuthTest {
    private static final String TOKEN = "s3cret-token-for-tests";

    @TempDir
    static Path data;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(new ServerConfig().token(TOKEN), data);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static TestServer.Reply as(final String token, final String path) {
        server.token = token;
        try {
            return server.get(path);
        } finally {
            server.token = TOKEN;
        }
    }

    @Test
    void shouldRefuseEveryApiCallWithoutTheRightToken() {
        for (final String path : new String[] {"/api/v1/analytics", "/api/v1/models", "/api/v1/system",
            "/api/v1/pricing", "/api/v1/openapi.yaml", "/api/v1/no-such-route", "/metrics"}) {
            final TestServer.Reply none = as(null, path);
            assertEquals(401, none.status(), path);
            assertEquals("Bearer realm=\"ringmeter\"", none.raw().headers().firstValue("WWW-Authenticate").orElse(""));
            assertFalse(none.body().contains(TOKEN));
            assertEquals(401, as("wrong", path).status(), path);
            assertEquals(401, as(TOKEN + "x", path).status(), path);
        }
        server.token = null;
        assertEquals(401, server.post("/api/v1/events", TestServer.JSON,
            "[{\"model\":\"auth\",\"latencyMs\":1}]").status());
        server.token = TOKEN;
        assertEquals(0, server.count("auth"));
    }

    @Test
    void shouldServeTheApiWithTheRightToken() {
        assertEquals(202, server.post("/api/v1/events", TestServer.JSON,
            "[{\"model\":\"auth-ok\",\"latencyMs\":1}]").status());
        assertEquals(1, server.count("auth-ok"));
        assertEquals(200, as(TOKEN, "/metrics").status());
        assertEquals(200, as(TOKEN, "/api/v1/system").status());
    }

    @Test
    void shouldKeepHealthAndReadyOpen() {
        assertEquals(200, as(null, "/health").status());
        assertEquals(200, as(null, "/ready").status());
    }

    @Test
    void shouldNeverShowTheTokenInTheConfigurationItLogs() {
        assertFalse(server.server.config().toString().contains(TOKEN));
    }
}
