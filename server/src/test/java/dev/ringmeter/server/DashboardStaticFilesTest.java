package dev.ringmeter.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard's files over HTTP from a server with a token: public (they hold no data), with their content types
 * (a module script must be JavaScript or the browser refuses it), revalidated by ETag, while /api/v1 keeps its token.
 */
@Timeout(60)
class DashboardStaticFilesTest {
    @TempDir
    static Path data;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(new ServerConfig().token("dashboard-token"), data);
        server.token = null;   // as a browser arrives: no Authorization header
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String header(final TestServer.Reply r, final String name) {
        return r.raw().headers().firstValue(name).orElse("");
    }

    @Test
    void shouldServeThePageAndItsFilesPubliclyWithTheirTypes() {
        final String[][] files = {
            {"/", "text/html", "<title>Ringmeter</title>"},
            {"/index.html", "text/html", "/dashboard/app.js"},
            {"/dashboard/app.js", "text/javascript", "import"},
            {"/dashboard/api.js", "text/javascript", "credentials: 'same-origin'"},
            {"/dashboard/dashboard.css", "text/css", "--vermillion"},
            {"/webjars/uplot/1.6.30/dist/uPlot.iife.min.js", "text/javascript", "uPlot"},
            {"/webjars/uplot/1.6.30/dist/uPlot.min.css", "text/css", ".uplot"},
        };
        for (final String[] f : files) {
            final TestServer.Reply r = server.get(f[0]);
            assertEquals(200, r.status(), f[0]);
            assertTrue(header(r, "Content-Type").startsWith(f[1]), f[0] + ": " + header(r, "Content-Type"));
            assertTrue(r.body().contains(f[2]), f[0]);
        }
        assertEquals("no-cache", header(server.get("/"), "Cache-Control"));
        assertEquals("no-cache", header(server.get("/dashboard/app.js"), "Cache-Control"));
    }

    @Test
    void shouldAnswerARevalidationWithNotModified() {
        final TestServer.Reply first = server.get("/dashboard/dashboard.css");
        final String etag = header(first, "ETag");
        assertTrue(!etag.isEmpty(), "an ETag");
        final TestServer.Reply again = server.send(server.request("/dashboard/dashboard.css")
            .header("If-None-Match", etag).GET().build());
        assertEquals(304, again.status());
        assertEquals("", again.body());
    }

    @Test
    void shouldKeepTheTokenOnTheApiAndServeNothingElseFromTheDirectory() {
        assertEquals(401, server.get("/api/v1/models").status());
        assertEquals(401, server.get("/metrics").status());
        assertEquals(404, server.get("/dashboard/no-such-file.js").status());
        assertEquals(404, server.get("/app.js").status());   // the root serves index.html only
        final int outside = server.get("/dashboard/../simplelogger.properties").status();
        assertTrue(outside == 400 || outside == 404, "a path out of the directory: " + outside);
    }
}
