package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real server started in-process on a free port with a temporary data directory, and an HTTP client to it.
 */
final class TestServer implements AutoCloseable {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String JSON = "application/json";
    static final String NDJSON = "application/x-ndjson";

    final RingmeterServer server;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    final String base;
    String token;

    /** A reply: status, body, and the body parsed when it is JSON. */
    record Reply(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (final IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }

    TestServer(final ServerConfig config, final Path dataDirectory) {
        this.server = RingmeterServer.start(config.port(0).bind("127.0.0.1").dataDirectory(dataDirectory));
        this.base = "http://127.0.0.1:" + server.port();
        this.token = config.token();
    }

    static TestServer start(final Path dataDirectory) {
        return new TestServer(new ServerConfig(), dataDirectory);
    }

    Reply get(final String path) {
        return send(request(path).GET().build());
    }

    Reply post(final String path, final String contentType, final String body) {
        return send(request(path).header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    Reply put(final String path, final String body) {
        return send(request(path).header("Content-Type", JSON).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpRequest.Builder request(final String path) {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    Reply send(final HttpRequest request) {
        try {
            final HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @return the count of events of a model (or "all") over the last hour. */
    long count(final String model) {
        final Reply r = get("/api/v1/analytics?window=1h" + (model == null ? "" : "&model=" + model));
        if (r.status() == 404) {
            return 0;
        }
        final JsonNode j = r.json();
        return model == null ? j.get("all").get("count").asLong() : j.get("count").asLong();
    }

    @Override
    public void close() {
        server.close();
    }
}
