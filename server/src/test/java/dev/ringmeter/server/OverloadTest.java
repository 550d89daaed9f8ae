package dev.ringmeter.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When every write permit is taken, a further write is refused at once with 429 and Retry-After. */
@Timeout(60)
class OverloadTest {
    @TempDir
    static Path data;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(new ServerConfig().maxInFlight(1), data);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static long inFlight() {
        return server.get("/api/v1/system").json().get("server").get("writesInFlight").asLong();
    }

    @Test
    void shouldShedWritesWith429WhenEveryPermitIsTaken() throws Exception {
        final String head = "[{\"model\":\"slow\",\"latencyMs\":1}";
        final String tail = "]";
        try (Socket socket = new Socket("127.0.0.1", server.server.port())) {
            socket.setSoTimeout(30_000);
            final OutputStream out = socket.getOutputStream();
            // a request whose body arrives slowly: it holds the one permit while the server waits for the rest
            out.write(("POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + (head.length() + tail.length()) + "\r\nConnection: close\r\n\r\n" + head)
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();

            for (int attempt = 0; attempt < 500 && inFlight() == 0; attempt++) {
                Thread.sleep(10);
            }
            assertEquals(1, inFlight(), "the slow request holds the permit");
            final TestServer.Reply second = server.post("/api/v1/events", TestServer.JSON,
                "[{\"model\":\"fast\",\"latencyMs\":1}]");
            assertEquals(429, second.status(), second.body());
            assertEquals("1", second.raw().headers().firstValue("Retry-After").orElse(""));
            assertTrue(second.json().get("error").asText().contains("in flight"));
            assertTrue(server.get("/api/v1/system").json().get("server").get("writesRejected").asLong() >= 1);

            out.write(tail.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            final String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(reply.startsWith("HTTP/1.1 202"), reply);
        }
        assertEquals(1, server.count("slow"));
        assertEquals(0, server.count("fast"));
        assertEquals(202, server.post("/api/v1/events", TestServer.JSON, "[{\"model\":\"fast\",\"latencyMs\":1}]")
            .status(), "the permit is back once the slow request is done");
    }
}
