package dev.ringmeter.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cluster options of {@code serve}: read from flags and the environment, and refused with a clear message. */
class ClusterOptionsTest {
    @Test
    @Timeout(10)
    void kafkaAndClusterAreReadFromFlagsAndTheEnvironment() {
        final ServerConfig flags = ServerConfig.parse(new String[]{"--kafka", "k1:9092,k2:9092", "--cluster=prod",
            "--kafka-partitions", "24"}, Map.of());
        assertEquals("k1:9092,k2:9092", flags.kafka());
        assertEquals("prod", flags.cluster());
        assertEquals(24, flags.kafkaPartitions());
        final ServerConfig env = ServerConfig.parse(new String[0],
            Map.of("RINGMETER_KAFKA", "k:9092", "RINGMETER_CLUSTER", "edge_1"));
        assertEquals("edge_1", env.cluster());
        assertEquals(12, env.kafkaPartitions());
        assertNull(ServerConfig.parse(new String[0], Map.of()).cluster(), "a single server by default");
    }

    @Test
    @Timeout(10)
    void aHalfOrBadClusterSettingIsRefusedByName() {
        assertRefused("--kafka and --cluster go together", "--kafka", "k:9092");
        assertRefused("--kafka and --cluster go together", "--cluster", "prod");
        assertRefused("--cluster must be 1 to 100 letters, digits, - or _", "--kafka", "k:9092", "--cluster",
            "a.b");
        assertRefused("--kafka-partitions must be 1 to 10000", "--kafka", "k:9092", "--cluster", "c",
            "--kafka-partitions", "0");
    }

    private static void assertRefused(final String message, final String... args) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.parse(args, Map.of()));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
