package dev.ringmeter.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/**
 * Posts one NDJSON batch to the server and returns its reply: {@code Content-Type: application/x-ndjson}, the
 * bearer token if there is one, the body gzip-compressed when {@link RemoteConfig#gzip} is on, and
 * {@link RemoteConfig#requestTimeoutMs} from sending to the reply's headers. HTTP/1.1 with keep-alive, no redirects
 * followed. It decides nothing about the reply: that is {@link BatchDelivery}'s job.
 * <p>
 * Threading: owned by the sender thread, which has one request in flight at a time; it allocates a request and a
 * copy of the body per attempt, off the recording path.
 */
final class HttpBatchPoster {
    /**
     * A reply of the server.
     *
     * @param status     HTTP status.
     * @param body       the reply's body (an error's message), possibly empty.
     * @param retryAfter the {@code Retry-After} header, or null.
     */
    record Reply(int status, String body, String retryAfter) {
    }

    private final URI eventsUri;
    private final URI metricsUri;
    private final String authorization;
    private final long requestTimeoutMs;
    private final boolean gzip;
    private final HttpClient http;

    /**
     * @param config concluded options: {@code uri}, {@code token}, {@code gzip} and the two timeouts.
     */
    HttpBatchPoster(final RemoteConfig config) {
        final String base = stripTrailingSlash(config.uri().toString());
        this.eventsUri = URI.create(base + "/api/v1/events");
        this.metricsUri = URI.create(base + "/api/v1/metrics");
        this.authorization = config.token() == null ? null : "Bearer " + config.token();
        this.requestTimeoutMs = config.requestTimeoutMs();
        this.gzip = config.gzip();
        this.http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(config.connectTimeoutMs()))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    }

    private static String stripTrailingSlash(final String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** @return where event batches go: {@code <uri>/api/v1/events}. */
    URI eventsUri() {
        return eventsUri;
    }

    /** @return where metric sample batches go: {@code <uri>/api/v1/metrics}. */
    URI metricsUri() {
        return metricsUri;
    }

    /**
     * @param batch to send, whole.
     * @param uri   {@link #eventsUri()} or {@link #metricsUri()}.
     * @return the server's reply, whatever its status.
     * @throws IOException          on a connection error or a timeout.
     * @throws InterruptedException if the sender is interrupted while waiting for the reply.
     */
    Reply post(final NdjsonBatch batch, final URI uri) throws IOException, InterruptedException {
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri)
            .timeout(Duration.ofMillis(requestTimeoutMs))
            .header("Content-Type", "application/x-ndjson")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body(batch)));
        if (gzip) {
            request.header("Content-Encoding", "gzip");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        final HttpResponse<String> reply = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(reply.statusCode(), reply.body(), reply.headers().firstValue("Retry-After").orElse(null));
    }

    /** The request body of a batch: its NDJSON bytes, gzip-compressed when configured. */
    private byte[] body(final NdjsonBatch batch) {
        if (!gzip) {
            return Arrays.copyOf(batch.bytes(), batch.length());
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(batch.length() / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
            gz.write(batch.bytes(), 0, batch.length());
        } catch (final IOException e) {
            throw new UncheckedIOException("compressing in memory cannot fail", e);
        }
        return out.toByteArray();
    }
}
