package dev.ringmeter;

import dev.ringmeter.remote.RemoteRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class RingmeterTest {

    @Test
    void shouldOpenARemoteRecorderForAnHttpUri() {
        try (EventRecorder r = Ringmeter.open("http://127.0.0.1:1?batchSize=10&closeTimeoutMs=0")) {
            final RemoteRecorder remote = assertInstanceOf(RemoteRecorder.class, r);
            assertEquals(10, remote.config().batchSize());
        }
        try (EventRecorder r = Ringmeter.open("http://127.0.0.1:1?closeTimeoutMs=0", "secret")) {
            assertEquals("secret", ((RemoteRecorder)r).config().token());
        }
    }

    @Test
    void shouldSayThatFileAndMemNeedTheCoreModule() {
        // the client module's tests run without ringmeter-core, as a service that depends on the client only
        for (final String uri : new String[] {"mem:", "file:./data", "file:/tmp/ringmeter"}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ringmeter.open(uri));
            assertTrue(e.getMessage().contains("ringmeter-core"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseAnUnsupportedScheme() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ringmeter.open("ftp://host/x"))
            .getMessage().contains("unsupported scheme 'ftp'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ringmeter.open("localhost"))
            .getMessage().contains("no scheme"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ringmeter.open("http://h:1?token=abc def"))
            .getMessage().contains("token=***"));
    }
}
