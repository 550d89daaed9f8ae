package dev.ringmeter.server;

import dev.ringmeter.core.dictionary.Dimension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class ServerConfigTest {
    @Test
    void shouldDefaultToLoopbackPort8080AndDotData() {
        final ServerConfig c = ServerConfig.parse(new String[0], Map.of());
        assertEquals(8080, c.port());
        assertEquals("127.0.0.1", c.bind());
        assertEquals(Path.of("data"), c.dataDirectory());
        assertNull(c.token());
        assertEquals(4L * 1024 * 1024, c.maxBodyBytes());
        assertEquals(10_000, c.maxBatch());
        assertEquals(64, c.maxInFlight());
        assertEquals(24, c.retentionHours());
    }

    @Test
    void shouldReadFlagsOverEnvironmentVariables() {
        final ServerConfig c = ServerConfig.parse(new String[] {"--port", "9090", "--data=/tmp/rm", "--max-batch=50"},
            Map.of("RINGMETER_PORT", "7070", "RINGMETER_TOKEN", "abc", "RINGMETER_BIND", "0.0.0.0",
                "RINGMETER_RETENTION_HOURS", "48"));
        assertEquals(9090, c.port());
        assertEquals(Path.of("/tmp/rm"), c.dataDirectory());
        assertEquals(50, c.maxBatch());
        assertEquals("abc", c.token());
        assertEquals("0.0.0.0", c.bind());
        assertEquals(48, c.retentionHours());
    }

    @Test
    void shouldShowEveryOptionButNoSecretInItsText() {
        final ServerConfig c = ServerConfig.parse(new String[] {"--token", "s3cret-token", "--max-live-clients", "7",
            "--otlp-export", "http://user:pa55word@collector:4318/v1/metrics", "--otlp-export-headers",
            "Authorization=Bearer hidden-value", "--kafka", "127.0.0.1:9092", "--cluster", "east"}, Map.of());
        final String text = c.toString();
        assertTrue(text.contains("maxLiveClients=7"), text);
        assertTrue(text.contains("otlpExport=http://collector:4318/v1/metrics"), text);
        assertTrue(text.contains("otlpExportHeaders=1"), text);
        assertTrue(text.contains("cluster=east") && text.contains("kafkaPartitions=12"), text);
        for (final String secret : new String[] {"s3cret-token", "pa55word", "user:", "hidden-value"}) {
            assertFalse(text.contains(secret), secret + " in " + text);
        }
    }

    @Test
    void shouldDeriveTheModelLimitFromHalfTheHeapUnlessSet() {
        final ServerConfig defaults = ServerConfig.parse(new String[0], Map.of());
        assertFalse(defaults.limits().containsKey(Dimension.MODEL), "not set: derived from the heap");
        assertEquals(0.5, defaults.heapShare());
        final ServerConfig set = ServerConfig.parse(new String[] {"--limit", "model=40"},
            Map.of("RINGMETER_HEAP_SHARE", "0.7"));
        assertEquals(40, set.limits().get(Dimension.MODEL));
        assertEquals(0.7, set.heapShare());
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.parse(new String[] {"--heap-share", "1"}, Map.of())).getMessage()
            .contains("--heap-share"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.parse(new String[] {"--heap-share", "half"}, Map.of())).getMessage()
            .contains("--heap-share"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.parse(new String[] {"--limit", "model=-1"}, Map.of())).getMessage()
            .contains("--limit model"));
    }

    @Test
    void shouldRefuseUnknownAndBadOptionsNamingThem() {
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.parse(new String[] {"--prot", "1"}, Map.of())).getMessage().contains("--prot"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.parse(new String[] {"--port", "x"}, Map.of())).getMessage().contains("--port"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.parse(new String[] {"--port", "70000"}, Map.of())).getMessage().contains("--port"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.parse(new String[] {"--ring-size", "1000"}, Map.of())).getMessage()
            .contains("--ring-size"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.parse(new String[] {"--port"}, Map.of())).getMessage().contains("--port"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.parse(new String[0], Map.of("RINGMETER_MAX_BATCH", "0"))).getMessage()
            .contains("--max-batch"));
    }

    @Test
    void shouldReadTheSnapshotIntervalAndRefuseOneOutsideASecondToADay() {
        assertEquals(300_000, ServerConfig.parse(new String[0], Map.of()).snapshotIntervalMs());
        assertEquals(1_000, ServerConfig.parse(new String[] {"--snapshot-interval-ms", "1000"},
            Map.of("RINGMETER_SNAPSHOT_INTERVAL_MS", "60000")).snapshotIntervalMs());
        final ServerConfig fromEnv = ServerConfig.parse(new String[0],
            Map.of("RINGMETER_SNAPSHOT_INTERVAL_MS", "86400000"));
        assertEquals(86_400_000, fromEnv.snapshotIntervalMs());
        assertTrue(fromEnv.toString().contains("snapshotIntervalMs=86400000"));
        for (final String bad : new String[] {"999", "86400001", "0", "-1", "often"}) {
            assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.parse(new String[] {"--snapshot-interval-ms", bad}, Map.of())).getMessage()
                .contains("--snapshot-interval-ms"), bad);
        }
    }

    @Test
    void shouldListEveryOptionInHelp() {
        assertTrue(ServerConfig.parse(new String[] {"--help"}, Map.of()).help());
        final String usage = ServerConfig.usage();
        for (final String flag : new String[] {"--port", "--bind", "--data", "--token", "--retention-hours",
            "--ring-size", "--max-body-bytes", "--max-batch", "--max-in-flight", "--flush-timeout-ms",
            "--max-string-length", "--snapshot-interval-ms", "RINGMETER_PORT", "RINGMETER_TOKEN"}) {
            assertTrue(usage.contains(flag), flag);
        }
    }

    @Test
    void shouldNeverShowTheTokenInItsDescription() {
        final ServerConfig c = ServerConfig.parse(new String[] {"--token", "top-secret"}, Map.of());
        assertFalse(c.toString().contains("top-secret"));
        assertTrue(c.toString().contains("auth=bearer"));
    }
}
