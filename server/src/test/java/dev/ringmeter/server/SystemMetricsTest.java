package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.core.test.StandInNvidiaSmi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The system sampler of a real server, with a stand-in nvidia-smi: over the query API and in /metrics. */
@Timeout(60)
class SystemMetricsTest {
    private static final double MIB = 1024.0 * 1024.0;
    @TempDir
    static Path data;
    @TempDir
    static Path bin;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(new ServerConfig().systemSampleMs(200)
            .gpuCommand(StandInNvidiaSmi.write(bin).toString()), data);
        // a name is known once recorded, its sample counted once applied: wait for the counts
        await(() -> count("gpu.power_w") >= 1 && count("gpu.utilization") >= 1 && count("gpu.memory.used_bytes") >= 2
            && count("system.disk.free_bytes") >= 1 && count("system.heap.used_bytes") >= 1
            && count("system.heap.max_bytes") >= 1 && count("system.threads") >= 1
            && server.get("/metrics").body().contains("ringmeter_gpu_power_w"), "the first samples");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void shouldAnswerSystemAndGpuSeriesLikeAnyCustomMetric() {
        final JsonNode heap = server.get("/api/v1/metrics?name=system.heap.used_bytes&window=1m").json();
        final JsonNode max = server.get("/api/v1/metrics?name=system.heap.max_bytes&window=1m").json();
        assertTrue(heap.get("count").asLong() >= 1);
        assertTrue(heap.get("min").asDouble() > 0);
        assertTrue(heap.get("max").asDouble() <= max.get("min").asDouble());
        assertTrue(server.get("/api/v1/metrics?name=system.disk.free_bytes&window=1m").json().get("min").asDouble() > 0);
        final JsonNode util = server.get("/api/v1/metrics?name=gpu.utilization&window=1m").json();
        assertEquals(45.0, util.get("min").asDouble());
        assertEquals(45.0, util.get("max").asDouble());
        final JsonNode used = server.get("/api/v1/metrics?name=gpu.memory.used_bytes&window=1m").json();
        assertEquals(1024 * MIB, used.get("min").asDouble());
        assertEquals(2048 * MIB, used.get("max").asDouble());
        boolean listed = false;
        for (final JsonNode m : server.get("/api/v1/metrics?window=1m").json().get("metrics")) {
            listed |= m.get("name").asText().equals("system.threads");
        }
        assertTrue(listed, "system.threads in the list of metrics");
    }

    @Test
    void shouldExposeTheLatestSamplesInPrometheusFormatPerGpu() throws Exception {
        final String body = server.get("/metrics").body();
        final Map<String, Double> s = ExpositionFormat.check(body);
        assertEquals(45, s.get("ringmeter_gpu_utilization{gpu=\"0\"}"));
        assertNull(s.get("ringmeter_gpu_utilization{gpu=\"1\"}"), "[N/A] is skipped");
        assertEquals(1024 * MIB, s.get("ringmeter_gpu_memory_used_bytes{gpu=\"0\"}"));
        assertEquals(2048 * MIB, s.get("ringmeter_gpu_memory_used_bytes{gpu=\"1\"}"));
        assertEquals(250.5, s.get("ringmeter_gpu_power_w{gpu=\"0\"}"));
        assertEquals(70, s.get("ringmeter_gpu_temperature_c{gpu=\"1\"}"));
        assertTrue(s.get("ringmeter_system_heap_used_bytes") > 0);
        assertTrue(s.get("ringmeter_system_disk_free_bytes") > 0);
        assertTrue(s.get("ringmeter_system_gc_time_seconds_total") >= 0);
        assertTrue(s.get("ringmeter_store_journal_bytes") > 0);
        assertFalse(s.containsKey("ringmeter_store_dropped"), "the store's own counter exposes drops");
        PrometheusMetricsTest.promtoolCheck(body, data);
    }

    @Test
    void shouldRefuseASampleIntervalUnder100Ms() {
        final IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> ServerConfig.parse(new String[] {"--system-sample-ms", "50"}, Map.of()));
        assertTrue(e.getMessage().contains("--system-sample-ms"), e.getMessage());
        assertEquals(0, ServerConfig.parse(new String[0], Map.of("RINGMETER_SYSTEM_SAMPLE_MS", "0")).systemSampleMs());
        assertEquals(5_000, ServerConfig.parse(new String[0], Map.of()).systemSampleMs());
    }

    private static long count(final String name) {
        final TestServer.Reply r = server.get("/api/v1/metrics?name=" + name + "&window=1m");
        return r.status() == 200 ? r.json().get("count").asLong() : 0;
    }

    private static void await(final BooleanSupplier condition, final String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}
