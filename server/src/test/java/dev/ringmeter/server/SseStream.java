package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A client of GET /api/v1/live over real HTTP: a thread reads the stream line by line and queues each message
 * (its event name and data, or a comment), and the test waits for the one it expects with a deadline.
 */
final class SseStream implements AutoCloseable {
    /** A message: its {@code event:} name (null for a comment or a bare field), its data, and its lines. */
    record Message(String event, String data, List<String> lines) {
        JsonNode json() {
            try {
                return TestServer.MAPPER.readTree(data);
            } catch (final IOException e) {
                throw new UncheckedIOException(data, e);
            }
        }
    }

    private static final Message END = new Message(null, null, List.of());

    final HttpResponse<InputStream> response;
    private final LinkedBlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile boolean ended;

    SseStream(final HttpClient client, final HttpRequest request) throws IOException, InterruptedException {
        this.response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        this.reader = new Thread(this::read, "sse-test-reader");
        this.reader.setDaemon(true);
        if (response.statusCode() == 200) {
            reader.start();
        }
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            List<String> lines = new ArrayList<>();
            String event = null;
            StringBuilder data = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isEmpty()) {
                    if (!lines.isEmpty()) {
                        messages.add(new Message(event, data == null ? null : data.toString(), lines));
                    }
                    lines = new ArrayList<>();
                    event = null;
                    data = null;
                    continue;
                }
                lines.add(line);
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line, 6,
                        line.length());
                }
            }
        } catch (final IOException e) {
            // closed by the test, or the server ended the stream
        } finally {
            ended = true;
            messages.add(END);
        }
    }

    /**
     * @return the next message that matches, or fails when none came within the time.
     */
    Message await(final Predicate<Message> wanted, final long timeoutMs) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final List<String> seen = new ArrayList<>();
        while (true) {
            final long left = deadline - System.nanoTime();
            final Message m = left <= 0 ? null : messages.poll(left, TimeUnit.NANOSECONDS);
            if (m == null || m == END) {
                if (m == END) {
                    messages.add(END);
                }
                throw new AssertionError((m == END ? "the stream ended" : "timed out") + " before the message; seen "
                    + seen);
            }
            if (wanted.test(m)) {
                return m;
            }
            seen.add(m.event() == null ? String.valueOf(m.lines()) : m.event());
        }
    }

    /** @return the next message named so. */
    Message await(final String event, final long timeoutMs) throws InterruptedException {
        return await(m -> event.equals(m.event()), timeoutMs);
    }

    /** @return whether the server ended the stream within the time. */
    boolean awaitEnd(final long timeoutMs) throws InterruptedException {
        reader.join(timeoutMs);
        return ended;
    }

    @Override
    public void close() throws IOException {
        response.body().close();
    }
}
