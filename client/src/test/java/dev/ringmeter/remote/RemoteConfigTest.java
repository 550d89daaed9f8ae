package dev.ringmeter.remote;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class RemoteConfigTest {

    @Test
    void shouldHaveTheDocumentedDefaults() {
        final RemoteConfig c = new RemoteConfig().uri("http://127.0.0.1:8080").conclude();
        assertEquals(65_536, c.bufferCapacity());
        assertEquals(1_000, c.batchSize());
        assertEquals(1 << 20, c.maxBatchBytes());
        assertEquals(100, c.lingerMs());
        assertEquals(RemoteConfig.UNLIMITED_RETRIES, c.maxRetries());
        assertEquals(100, c.initialBackoffMs());
        assertEquals(10_000, c.maxBackoffMs());
        assertEquals(10_000, c.requestTimeoutMs());
        assertEquals(5_000, c.connectTimeoutMs());
        assertEquals(5_000, c.closeTimeoutMs());
        assertNull(c.token());
    }

    @Test
    void shouldReadOptionsFromTheQueryAndStripIt() {
        final RemoteConfig c = RemoteConfig.fromUri(URI.create(
            "http://metrics:9000/prefix?token=s%3Dcret&batchSize=500&lingerMs=5&bufferCapacity=1000&maxRetries=3"))
            .conclude();
        assertEquals(URI.create("http://metrics:9000/prefix"), c.uri());
        assertEquals("s=cret", c.token());
        assertEquals(500, c.batchSize());
        assertEquals(5, c.lingerMs());
        assertEquals(1024, c.bufferCapacity(), "rounded up to a power of two");
        assertEquals(3, c.maxRetries());
        assertFalse(c.toString().contains("cret"), c.toString());
        assertTrue(c.toString().contains("auth=bearer"));
    }

    @Test
    void shouldRefuseUnknownParametersAndBadValuesNamingThem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RemoteConfig.fromUri(
            URI.create("http://h:1?batchsize=5"))).getMessage().contains("batchsize"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RemoteConfig.fromUri(
            URI.create("http://h:1?lingerMs=soon"))).getMessage().contains("lingerMs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RemoteConfig().uri("http://h:1")
            .batchSize(10_001).conclude()).getMessage().contains("batchSize"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RemoteConfig().uri("http://h:1")
            .maxBackoffMs(10).initialBackoffMs(100).conclude()).getMessage().contains("maxBackoffMs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RemoteConfig().uri("ftp://h:1")
            .conclude()).getMessage().contains("http"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RemoteConfig().conclude())
            .getMessage().contains("uri"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RemoteConfig().uri("http://h:1?token=x")
            .conclude()).getMessage().contains("token=***"));
    }
}
