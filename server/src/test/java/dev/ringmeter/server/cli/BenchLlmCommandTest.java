package dev.ringmeter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.run.RunQuery;
import dev.ringmeter.core.run.RunStatus;
import dev.ringmeter.core.run.RunSummary;
import dev.ringmeter.core.test.ChildJvm;
import dev.ringmeter.server.Main;
import dev.ringmeter.server.RingmeterServer;
import dev.ringmeter.server.ServerConfig;
import dev.ringmeter.server.mockllm.Distribution;
import dev.ringmeter.server.mockllm.MockLlm;
import dev.ringmeter.server.mockllm.MockLlmConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ringmeter bench-llm} as a real child process against a real mock-llm (in this JVM): into a data directory
 * and into a real server ({@code --url}), checked by its exit code, its summary, its JSONL lines, its report and the
 * runs in the store; and Ctrl-C (SIGINT) mid-run, which exits 130 with what was measured marked cancelled.
 */
@Tag("slow")
@Timeout(240)
class BenchLlmCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final double TTFT_MS = 30;

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private Process start(final String... args) throws IOException {
        final List<String> command = new ArrayList<>(ChildJvm.command(Main.class, args));
        final ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
            .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("RINGMETER_"));
        return pb.start();
    }

    private Run finish(final Process child) throws IOException, InterruptedException {
        try {
            if (!child.waitFor(150, TimeUnit.SECONDS)) {
                throw new AssertionError("bench-llm did not end within 150 s");
            }
        } finally {
            child.destroyForcibly();
        }
        return new Run(child.exitValue(), Files.readString(dir.resolve("out.txt")),
            Files.readString(dir.resolve("err.txt")));
    }

    private static MockLlm mock() throws IOException {
        return MockLlm.start(MockLlmConfig.builder().ttft(Distribution.fixed(TTFT_MS))
            .interToken(Distribution.fixed(2)).build());
    }

    private static List<JsonNode> lines(final Path jsonl) throws IOException {
        final List<JsonNode> out = new ArrayList<>();
        for (final String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
            out.add(MAPPER.readTree(line));
        }
        return out;
    }

    @Test
    void aSweepIntoADataDirectoryPrintsTheSummaryAndWritesTheLogReportResultAndRuns() throws Exception {
        final Path data = dir.resolve("data");
        final Path jsonl = dir.resolve("requests.jsonl");
        final Path report = dir.resolve("bench.html");
        final Path json = dir.resolve("result.json");
        try (MockLlm mock = mock()) {
            final Run run = finish(start("bench-llm", "--data", data.toString(), "--target", mock.baseUrl(),
                "--model", "m1", "--synthetic", "32:8", "--concurrency", "1,2", "--requests", "12", "--name",
                "smoke", "--slo-ttft-ms", "500", "--jsonl", jsonl.toString(), "--report", report.toString(),
                "--json", json.toString()));
            assertEquals(0, run.exit, run.out + run.err);
            assertTrue(run.out.contains("TTFT p50") && run.out.contains("goodput/s"), run.out);
            assertTrue(run.out.contains("default/m1/default@c1") && run.out.contains("default/m1/default@c2"), run.out);
            assertTrue(run.out.contains("Load curve default/m1/default (closed)"), run.out);
            assertTrue(run.out.contains("Best point: concurrency 2"), run.out);

            final List<JsonNode> requests = lines(jsonl);
            assertEquals(24, requests.size(), "12 measured requests in each of 2 cells");
            final double[] ttfts = requests.stream().mapToDouble(r -> r.get("ttftMs").asDouble()).sorted().toArray();
            assertTrue(ttfts[0] >= TTFT_MS, "never before the injected TTFT: " + Arrays.toString(ttfts));
            assertTrue(ttfts[ttfts.length / 2] < TTFT_MS + 10, "median TTFT near the injected one: "
                + Arrays.toString(ttfts));
            assertTrue(requests.stream().allMatch(r -> r.get("status").asText().equals("ok")
                && r.get("completionTokens").asInt() == 8 && r.get("requestId").asText().startsWith("mock-")),
                requests.toString());

            final String html = Files.readString(report);
            assertTrue(html.startsWith("<!DOCTYPE html>") || html.startsWith("<!doctype html>"), html);
            assertTrue(html.contains("default/m1/default@c2") && html.contains("<svg"), html);
            final JsonNode result = MAPPER.readTree(Files.readString(json));
            assertEquals("completed", result.get("status").asText());
            assertEquals(2, result.get("cells").size());
        }
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(data))) {
            final List<RunSummary> runs = store.runs().list(new RunQuery(null, null, null, 0, Long.MAX_VALUE, null, false, 0, 50)).runs();
            assertEquals(2, runs.size(), runs.toString());
            for (final RunSummary r : runs) {
                assertEquals(RunStatus.COMPLETED, r.status());
                assertTrue(r.tags().contains("llm-bench"), r.tags().toString());
                assertEquals("m1", r.parameters().get("model"));
                assertEquals(12, r.events(), r.toString());
            }
        }
    }

    @Test
    void aBenchmarkIntoARunningServerRecordsItsRunsThere() throws Exception {
        final Path data = dir.resolve("served");
        final RingmeterServer server = RingmeterServer.start(new ServerConfig().port(0).bind("127.0.0.1")
            .dataDirectory(data));
        try (MockLlm mock = mock()) {
            final String url = "http://127.0.0.1:" + server.port();
            final Run run = finish(start("bench-llm", "--url", url, "--target", mock.baseUrl(), "--model", "m2",
                "--synthetic", "16:4", "--concurrency", "2", "--requests", "10", "--tag", "nightly"));
            assertEquals(0, run.exit, run.out + run.err);
            final HttpResponse<String> reply = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(url + "/api/v1/runs?tag=llm-bench")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, reply.statusCode(), reply.body());
            final JsonNode runs = MAPPER.readTree(reply.body()).get("runs");
            assertEquals(1, runs.size(), reply.body());
            final JsonNode r = runs.get(0);
            assertEquals("completed", r.get("status").asText());
            assertEquals(10, r.get("events").asLong(), "every measured request reached the server before the run"
                + " was finished: " + r);
            assertEquals(2, r.at("/parameters/concurrency").asInt(), r.toString());
            assertTrue(r.get("tags").toString().contains("nightly"), r.toString());
        } finally {
            server.close();
        }
    }

    @Test
    void ctrlCMidRunExits130AndKeepsWhatWasMeasuredMarkedCancelled() throws Exception {
        final Path data = dir.resolve("data");
        final Path jsonl = dir.resolve("requests.jsonl");
        final Path json = dir.resolve("result.json");
        try (MockLlm mock = mock()) {
            final Process child = start("bench-llm", "--data", data.toString(), "--target", mock.baseUrl(),
                "--model", "m3", "--synthetic", "16:4", "--concurrency", "2", "--duration-ms", "120000",
                "--jsonl", jsonl.toString(), "--json", json.toString());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(jsonl) && Files.size(jsonl) > 0) && System.nanoTime() < deadline
                && child.isAlive()) {
                Thread.onSpinWait();
                child.waitFor(20, TimeUnit.MILLISECONDS);   // polls the condition; not a synchronisation
            }
            assertTrue(child.isAlive(), "the benchmark was still running when interrupted");
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start().waitFor());
            final Run run = finish(child);
            assertEquals(BenchLlmCommand.EXIT_CANCELLED, run.exit, run.out + run.err);
            assertTrue(run.out.contains("Status: cancelled"), run.out);
            final JsonNode result = MAPPER.readTree(Files.readString(json));
            assertEquals("cancelled", result.get("status").asText());
            final long measured = result.at("/cells/0/requests").asLong();
            assertTrue(measured > 0, "what was measured is kept: " + result);
        }
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(data))) {
            final List<RunSummary> runs = store.runs().list(new RunQuery(null, null, null, 0, Long.MAX_VALUE, null, false, 0, 50)).runs();
            assertEquals(1, runs.size());
            assertEquals(RunStatus.CANCELLED, runs.get(0).status());
            assertTrue(runs.get(0).events() > 0, runs.get(0).toString());
        }
    }

    @Test
    void badOptionsExitWithTheUsageCodeBeforeAnyRequest() throws Exception {
        final String data = dir.resolve("data").toString();
        assertEquals(RingmeterCommand.EXIT_USAGE, RingmeterCommand.execute(new String[] {"bench-llm", "--data", data,
            "--model", "m"}), "no target");
        assertEquals(RingmeterCommand.EXIT_USAGE, RingmeterCommand.execute(new String[] {"bench-llm", "--data", data,
            "--target", "http://127.0.0.1:9/v1", "--model", "m", "--synthetic", "8:4", "--concurrency", "2",
            "--rate", "5"}), "closed and open loop at once");
        assertEquals(RingmeterCommand.EXIT_USAGE, RingmeterCommand.execute(new String[] {"bench-llm", "--data", data,
            "--target", "http://127.0.0.1:9/v1", "--model", "m", "--synthetic", "8:4", "--report", "r.pdf"}));
        assertEquals(RingmeterCommand.EXIT_USAGE, RingmeterCommand.execute(new String[] {"bench-llm", "--data", data,
            "--target", "http://127.0.0.1:9/v1", "--synthetic", "8:4"}), "no model");
        final Path spec = Files.writeString(dir.resolve("spec.json"), "{\"targets\": []}");
        assertEquals(RingmeterCommand.EXIT_USAGE, RingmeterCommand.execute(new String[] {"bench-llm", "--data", data,
            "--spec", spec.toString()}));
        assertTrue(!Files.exists(dir.resolve("data")), "nothing opened for a refused benchmark");
    }
}
