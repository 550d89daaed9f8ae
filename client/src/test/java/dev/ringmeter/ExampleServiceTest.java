package dev.ringmeter;

import dev.ringmeter.examples.remote.ExampleService;
import dev.ringmeter.remote.FakeServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the README's client example against a fake server, so it cannot rot. */
@Timeout(60)
class ExampleServiceTest {

    @Test
    void shouldRecordEveryCallOfTheExample() throws Exception {
        try (FakeServer server = new FakeServer(n -> FakeServer.Reply.accepted())) {
            final ByteArrayOutputStream text = new ByteArrayOutputStream();
            final boolean ok = ExampleService.run(server.uri(), 200, 4,
                new PrintStream(text, true, StandardCharsets.UTF_8));
            final String out = text.toString(StandardCharsets.UTF_8);
            assertTrue(ok, out);
            assertEquals(200, server.lines(), out);
            assertTrue(out.contains("acknowledged  all"), out);
        }
    }
}
