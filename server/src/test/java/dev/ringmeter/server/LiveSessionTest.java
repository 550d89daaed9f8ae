package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.server.http.Sessions;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The token exchanged for a session cookie against a real server with a token: the live stream refuses a client
 * with neither, streams to one with the cookie alone; the cookie's attributes; a wrong token gets none; a session
 * ends when it expires by the server's clock or is deleted; the table holds at most its limit.
 */
@Timeout(60)
class LiveSessionTest {
    private static final String TOKEN = "live-s3cret";
    private static final long TTL_MS = 600_000;

    @TempDir
    Path data;

    private static HttpRequest.Builder plain(final TestServer server, final String path) {
        return HttpRequest.newBuilder(URI.create(server.base + path)).timeout(Duration.ofSeconds(30));
    }

    private static TestServer.Reply withCookie(final TestServer server, final String method, final String path,
                                               final String cookie) {
        return server.send(plain(server, path).header("Cookie", cookie)
            .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    @Test
    void shouldStreamOnlyToAHolderOfTheTokenOrOfALiveSession() throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(System.currentTimeMillis());
        try (TestServer server = new TestServer(new ServerConfig().token(TOKEN).clock(clock).sessionTtlMs(TTL_MS),
            data)) {
            try (SseStream none = new SseStream(server.client, plain(server, "/api/v1/live").build())) {
                assertEquals(401, none.response.statusCode());
                assertTrue(none.response.headers().firstValue("Content-Type").orElse("")
                    .startsWith("application/json"), "a 401 JSON, not a stream");
                assertTrue(new String(none.response.body().readAllBytes()).contains("\"error\""));
            }
            assertEquals(401, server.send(plain(server, "/api/v1/session").GET().build()).status());

            server.token = "wrong";
            final TestServer.Reply wrong = server.post("/api/v1/session", TestServer.JSON, "");
            assertEquals(401, wrong.status());
            assertTrue(wrong.raw().headers().allValues("Set-Cookie").isEmpty(), "a wrong token gets no cookie");
            server.token = TOKEN;

            final TestServer.Reply made = server.post("/api/v1/session", TestServer.JSON, "");
            assertEquals(200, made.status(), made.body());
            assertEquals(clock.time() + TTL_MS, made.json().get("expiresAtMs").asLong());
            final String setCookie = made.raw().headers().firstValue("Set-Cookie").orElseThrow();
            final List<String> attributes = List.of(setCookie.split("; "));
            assertTrue(attributes.get(0).matches(Sessions.COOKIE + "=[A-Za-z0-9_-]{43}"), setCookie);
            for (final String a : new String[] {"Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=600"}) {
                assertTrue(attributes.contains(a), a + " in " + setCookie);
            }
            final String cookie = attributes.get(0);

            server.token = null;   // from here on, the cookie alone
            try {
                assertFalse(server.post("/api/v1/session", TestServer.JSON, "").raw().headers()
                    .firstValue("Set-Cookie").isPresent(), "no session without the token");
                final JsonNode state = withCookie(server, "GET", "/api/v1/session", cookie).json();
                assertTrue(state.get("authRequired").asBoolean());
                assertEquals(clock.time() + TTL_MS, state.get("expiresAtMs").asLong());
                assertEquals(200, withCookie(server, "GET", "/api/v1/models", cookie).status());
                try (SseStream live = new SseStream(server.client, plain(server, "/api/v1/live")
                    .header("Cookie", cookie).build())) {
                    assertEquals(200, live.response.statusCode());
                    assertTrue(live.response.headers().firstValue("Content-Type").orElse("")
                        .startsWith("text/event-stream"));
                    assertEquals(List.of("retry: 2000"), live.await(m -> true, 5_000).lines());
                    assertEquals(0, live.await("alerts", 5_000).json().get("alerts").size());
                    live.await("tiles", 5_000);
                }

                clock.update(clock.time() + TTL_MS);   // the session's last millisecond has passed
                assertEquals(401, withCookie(server, "GET", "/api/v1/session", cookie).status());
                assertEquals(401, withCookie(server, "GET", "/api/v1/live", cookie).status());

                server.token = TOKEN;
                final String second = server.post("/api/v1/session", TestServer.JSON, "").raw().headers()
                    .firstValue("Set-Cookie").orElseThrow().split("; ")[0];
                server.token = null;
                assertEquals(200, withCookie(server, "GET", "/api/v1/session", second).status());
                final TestServer.Reply ended = withCookie(server, "DELETE", "/api/v1/session", second);
                assertEquals(204, ended.status());
                assertTrue(ended.raw().headers().firstValue("Set-Cookie").orElse("")
                    .startsWith(Sessions.COOKIE + "=; "), "the cookie cleared");
                assertTrue(ended.raw().headers().firstValue("Set-Cookie").orElse("").contains("Max-Age=0"));
                assertEquals(401, withCookie(server, "GET", "/api/v1/session", second).status());
            } finally {
                server.token = TOKEN;
            }
        }
    }

    @Test
    void shouldAnswerThatNoSessionIsNeededWithoutAToken() {
        try (TestServer server = TestServer.start(data)) {
            final JsonNode state = server.get("/api/v1/session").json();
            assertFalse(state.get("authRequired").asBoolean());
            assertTrue(state.get("expiresAtMs").isNull());
        }
    }

    @Test
    void shouldHoldAtMostTheLimitEvictingTheOldest() {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(1_000_000);
        final Sessions sessions = new Sessions(clock, TTL_MS);
        final String first = sessions.create().id();
        final String secondId = sessions.create().id();
        for (int i = 2; i < Sessions.MAX_SESSIONS; i++) {
            sessions.create();
        }
        assertTrue(sessions.expiresAtMs(first) > 0);
        sessions.create();
        assertEquals(Sessions.MAX_SESSIONS, sessions.size());
        assertEquals(-1, sessions.expiresAtMs(first), "the oldest evicted");
        assertEquals(1_000_000 + TTL_MS, sessions.expiresAtMs(secondId));
        assertEquals(-1, sessions.expiresAtMs(first + "x"));
        assertEquals(-1, sessions.expiresAtMs(null));
    }
}
