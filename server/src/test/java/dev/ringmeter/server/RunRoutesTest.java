package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.test.RunWorkload;
import dev.ringmeter.remote.RemoteConfig;
import dev.ringmeter.remote.RemoteRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run routes against a real server: a run's lifecycle with the figures the test sums itself, the list's
 * filters, sort and pages, runs side by side with verdicts checked against the test's own interval, and bad input
 * refused with the field named.
 */
@Timeout(120)
class RunRoutesTest {
    @TempDir
    Path dir;

    private static RemoteConfig remote(final String uri) {
        return new RemoteConfig().uri(uri).initialBackoffMs(20).maxBackoffMs(200).lingerMs(5);
    }

    private static TestServer.Reply patch(final TestServer server, final String path, final String body) {
        return server.send(server.request(path).header("Content-Type", TestServer.JSON)
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void shouldRunALifecycleOverHttpWithTheFiguresOfItsEvents() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("data"));
             RemoteRecorder recorder = new RemoteRecorder(remote(server.base))) {
            final TestServer.Reply created = server.post("/api/v1/runs", TestServer.JSON, "{\"id\": \"eval-7\", "
                + "\"name\": \"prompt v3\", \"parameters\": {\"temperature\": 0.7, \"promptVersion\": \"v3\", "
                + "\"maxTokens\": 512, \"cot\": false}, \"tags\": [\"nightly\"], \"expectedTasks\": 80}");
            assertEquals(201, created.status(), created.body());
            assertEquals("running", created.json().get("status").asText());
            assertEquals(0.7, created.json().get("parameters").get("temperature").asDouble());
            assertTrue(created.json().get("parameters").get("maxTokens").isIntegralNumber());
            assertTrue(created.json().get("parameters").get("cot").isBoolean());

            final RunWorkload w = new RunWorkload().record(recorder, "eval-7", 0, 40, 5);
            assertTrue(recorder.flush(30, TimeUnit.SECONDS));

            final JsonNode s = server.get("/api/v1/runs/eval-7").json();
            assertEquals(w.events, s.get("events").asLong());
            assertEquals(w.errors, s.get("byStatus").get("error").asLong());
            assertEquals(w.errors, s.get("byErrorType").get("bad_json").asLong());
            assertEquals(w.calls, s.get("latencyMs").get("count").asLong());
            assertEquals(w.latencyNsSum / 1e6 / w.calls, s.get("latencyMs").get("mean").asDouble(), 1e-9);
            assertEquals(w.promptTokens, s.get("tokens").get("prompt").asLong());
            assertEquals(w.cachedTokens, s.get("tokens").get("cached").asLong());
            assertEquals(w.reasoningTokens, s.get("tokens").get("reasoning").asLong());
            assertEquals(w.costUsd, s.get("cost").get("usd").asDouble(), 1e-12);
            assertEquals(w.costUnknown, s.get("cost").get("unknownEvents").asLong());
            assertTrue(s.get("cost").get("perSuccessfulTaskUsd").isNull(), "some costs are unknown: no partial sum");
            assertEquals(40, s.get("progress").get("done").asLong());
            assertEquals(80, s.get("progress").get("expected").asLong());
            assertEquals(0.5, s.get("progress").get("fraction").asDouble(), 1e-12);
            assertEquals(w.tasksSucceeded, s.get("tasks").get("succeeded").asLong());
            assertEquals((double)w.firstTimeRight / 40, s.get("tasks").get("firstTimeRightRate").asDouble(), 1e-12);
            assertEquals((double)w.taskRetries / 40, s.get("tasks").get("debuggingCycles").asDouble(), 1e-12);
            assertEquals(w.qualitySum / w.qualityCount, s.get("quality").get("accuracy").get("mean").asDouble(),
                1e-12);
            assertEquals(w.retrieveCount, s.get("steps").get("retrieve").get("count").asLong());

            final TestServer.Reply updated = patch(server, "/api/v1/runs/eval-7", "{\"expectedTasks\": 40, "
                + "\"parameters\": {\"temperature\": 0.2}}");
            assertEquals(200, updated.status(), updated.body());
            assertEquals(1.0, updated.json().get("progress").get("fraction").asDouble(), 1e-12);
            assertEquals("v3", updated.json().get("parameters").get("promptVersion").asText());

            final TestServer.Reply finished = server.post("/api/v1/runs/eval-7/finish", TestServer.JSON,
                "{\"status\": \"completed\"}");
            assertEquals(200, finished.status(), finished.body());
            assertEquals("completed", finished.json().get("status").asText());
            assertRefused(server.post("/api/v1/runs/eval-7/finish", TestServer.JSON, "{\"status\": \"failed\"}"),
                409, "status");
        }
    }

    @Test
    void shouldListRunsFilteredSortedAndInPages() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("data"));
             RemoteRecorder recorder = new RemoteRecorder(remote(server.base))) {
            final Event e = new Event();
            for (int i = 0; i < 5; i++) {
                assertEquals(201, server.post("/api/v1/runs", TestServer.JSON, "{\"id\": \"r" + i + "\", \"name\": \""
                    + (i % 2 == 0 ? "baseline " : "variant ") + i + "\", \"tags\": [" + (i < 2 ? "\"old\"" : "")
                    + "]}").status());
                for (int k = 0; k < 3; k++) {
                    recorder.record(e.reset().model("m").run("r" + i).latencyMs(10 * (5 - i)).costUsd(0.01 * i));
                }
            }
            assertTrue(recorder.flush(30, TimeUnit.SECONDS));
            assertEquals(200, server.post("/api/v1/runs/r3/finish", TestServer.JSON,
                "{\"status\": \"cancelled\", \"reason\": \"stopped by hand\"}").status());

            assertEquals(List.of("r4", "r3", "r2", "r1", "r0"), ids(server.get("/api/v1/runs").json()));
            assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), ids(server.get("/api/v1/runs?sort=cost&order=asc")
                .json()));
            assertEquals(List.of("r4", "r3"), ids(server.get("/api/v1/runs?sort=p95&order=asc&limit=2").json()));
            final JsonNode page = server.get("/api/v1/runs?name=BASELINE&sort=name&order=asc&limit=2").json();
            assertEquals(List.of("r0", "r2"), ids(page));
            assertEquals(3, page.get("total").asInt());
            assertEquals(List.of("r4"), ids(server.get("/api/v1/runs?name=baseline&sort=name&order=asc&limit=2"
                + "&offset=" + page.get("nextOffset").asInt()).json()));
            assertEquals(List.of("r3"), ids(server.get("/api/v1/runs?status=cancelled").json()));
            assertEquals(List.of("r1", "r0"), ids(server.get("/api/v1/runs?tag=old").json()));
            final long created2 = java.time.Instant.parse(server.get("/api/v1/runs/r2").json().get("createdAt")
                .asText()).toEpochMilli();
            assertTrue(ids(server.get("/api/v1/runs?createdFrom=" + (created2 + 1)).json()).stream()
                .noneMatch(List.of("r0", "r1", "r2")::contains));
        }
    }

    private static List<String> ids(final JsonNode page) {
        final List<String> ids = new ArrayList<>();
        page.get("runs").forEach(r -> ids.add(r.get("id").asText()));
        return ids;
    }

    @Test
    void shouldPutRunsSideBySideWithVerdictsAgainstTheFirst() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("data"));
             RemoteRecorder recorder = new RemoteRecorder(remote(server.base))) {
            server.post("/api/v1/runs", TestServer.JSON, "{\"id\": \"a\"}");
            server.post("/api/v1/runs", TestServer.JSON, "{\"id\": \"b\"}");
            final Event e = new Event();
            final int n = 400;
            final int errorsA = 20;
            final int errorsB = 80;
            for (int i = 0; i < n; i++) {
                recorder.record(e.reset().model("m").run("a").latencyMs(10)
                    .status(i < errorsA ? Status.ERROR : Status.OK));
                recorder.record(e.reset().model("m").run("b").latencyMs(20)
                    .status(i < errorsB ? Status.ERROR : Status.OK));
            }
            assertTrue(recorder.flush(30, TimeUnit.SECONDS));
            final TestServer.Reply r = server.get("/api/v1/runs/compare?ids=a,b");
            assertEquals(200, r.status(), r.body());
            final JsonNode v = r.json().get("verdicts").get("b");
            assertEquals("worse", v.get("latencyP95Ms").get("verdict").asText());
            assertEquals(10.0, v.get("latencyP95Ms").get("difference").asDouble(), 0.1);
            // the error rate: Newcombe's interval of pB - pA from the two Wilson intervals, computed here
            final double pA = (double)errorsA / n;
            final double pB = (double)errorsB / n;
            final double[] wA = wilson(errorsA, n);
            final double[] wB = wilson(errorsB, n);
            final double lower = pB - pA - Math.hypot(pB - wB[0], wA[1] - pA);
            final double upper = pB - pA + Math.hypot(wB[1] - pB, pA - wA[0]);
            final JsonNode rate = v.get("errorRate");
            assertEquals(pB - pA, rate.get("difference").asDouble(), 1e-12);
            assertEquals(lower, rate.get("differenceLower").asDouble(), 1e-9);
            assertEquals(upper, rate.get("differenceUpper").asDouble(), 1e-9);
            assertEquals(lower > 0 ? "worse" : "no_significant_difference", rate.get("verdict").asText());
            assertTrue(lower > 0, "the test's own interval lies above 0: " + lower);
            assertEquals("insufficient_data", v.get("successRate").get("verdict").asText(), "no tasks");
            assertEquals(2, r.json().get("runs").size());
        }
    }

    /** The Wilson score interval at 95 %: z = 1.959963984540054. */
    private static double[] wilson(final long k, final long n) {
        final double z = 1.959963984540054;
        final double p = (double)k / n;
        final double d = 1 + z * z / n;
        final double centre = (p + z * z / (2.0 * n)) / d;
        final double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / d;
        return new double[] {centre - half, centre + half};
    }

    @Test
    void shouldRefuseBadInputNamingTheField() {
        try (TestServer server = new TestServer(new ServerConfig().maxRuns(2), dir.resolve("data"))) {
            assertRefused(server.get("/api/v1/runs/nope"), 404, "id");
            assertRefused(server.post("/api/v1/runs/nope/finish", TestServer.JSON, "{\"status\": \"failed\"}"), 404,
                "id");
            assertRefused(server.post("/api/v1/runs", TestServer.JSON, "{\"expectedTasks\": -1}"), 422,
                "expectedTasks");
            assertRefused(server.post("/api/v1/runs", TestServer.JSON, "{\"parameters\": {\"t\": [1]}}"), 422,
                "parameters.t");
            assertRefused(server.post("/api/v1/runs", TestServer.JSON, "{\"colour\": \"red\"}"), 422, "colour");
            assertRefused(server.get("/api/v1/runs?status=paused"), 400, "status");
            assertRefused(server.get("/api/v1/runs?sort=speed"), 400, "sort");
            assertRefused(server.get("/api/v1/runs?limit=0"), 400, "limit");
            assertRefused(server.get("/api/v1/runs/compare?ids=a"), 400, "ids");
            assertEquals(201, server.post("/api/v1/runs", TestServer.JSON, "{\"id\": \"a\"}").status());
            assertRefused(server.post("/api/v1/runs", TestServer.JSON, "{\"id\": \"a\"}"), 409, "id");
            assertRefused(server.post("/api/v1/runs/a/finish", TestServer.JSON, "{\"status\": \"running\"}"), 422,
                "status");
            assertRefused(server.post("/api/v1/runs/a/finish", TestServer.JSON, "{}"), 422, "status");
            assertEquals(201, server.post("/api/v1/runs", TestServer.JSON, "{\"id\": \"b\"}").status());
            assertRefused(server.post("/api/v1/runs", TestServer.JSON, "{\"id\": \"c\"}"), 409, "id");
            assertRefused(server.get("/api/v1/runs/compare?ids=a,b,c,d,e,f,g,h,i,j,k"), 400, "ids");
            assertRefused(server.get("/api/v1/runs/compare?ids=a,zz"), 404, "id");
        }
    }

    private static void assertRefused(final TestServer.Reply r, final int status, final String field) {
        assertEquals(status, r.status(), r.body());
        assertEquals(field, r.json().get("field").asText(), r.body());
    }
}
