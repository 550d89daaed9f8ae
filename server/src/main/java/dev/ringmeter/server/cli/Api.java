package dev.ringmeter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmeter.server.RingmeterServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The HTTP API of one server, as every command uses it: a server given by {@code --url}, the one holding a data
 * directory, or one the command started in its own process on a free loopback port over a data directory
 * ({@link Target}). One code path for all three, so a command answers the same whichever it reaches. A reply other
 * than 2xx becomes a {@link CliException} carrying the server's error message; a server that cannot be reached, one
 * with {@link RingmeterCommand#EXIT_UNREACHABLE}.
 * <p>
 * Threading: one command's thread. {@link #close()} stops the server the command started, if it did.
 */
final class Api implements AutoCloseable {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

    private final String baseUrl;
    private final String token;
    private final RingmeterServer local;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * @param baseUrl the server's, e.g. {@code http://127.0.0.1:8080}.
     * @param token   its bearer token, or null.
     * @param local   the server this process started, closed with this; null for another process's.
     */
    Api(final String baseUrl, final String token, final RingmeterServer local) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token == null || token.isBlank() ? null : token;
        this.local = local;
    }

    /** @return the server's base URL. */
    String baseUrl() {
        return baseUrl;
    }

    /** @return whether the command reads the data directory itself, through a server of its own. */
    boolean local() {
        return local != null;
    }

    /**
     * @param path   e.g. {@code /api/v1/analytics}.
     * @param params query parameters, in order; null values left out.
     * @return the reply's JSON.
     */
    JsonNode get(final String path, final Map<String, String> params) {
        return json(send(request(path + query(params)).GET().build()));
    }

    /** @return {@code ?name=value&...} of the parameters not null, or nothing. */
    private static String query(final Map<String, String> params) {
        final String query = params.entrySet().stream().filter(e -> e.getValue() != null)
            .map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
        return query.isEmpty() ? "" : "?" + query;
    }

    /**
     * Streams the body of a GET's reply to {@code out} as it arrives (a report, an export), so the command holds no
     * more of it than a buffer.
     *
     * @param path   e.g. {@code /api/v1/report}.
     * @param params query parameters, in order; null values left out.
     * @param out    where the body goes.
     * @return the bytes written.
     */
    long download(final String path, final Map<String, String> params, final OutputStream out) {
        final HttpResponse<InputStream> reply;
        try {
            reply = http.send(request(path + query(params)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (final IOException e) {
            throw unreachable(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(RingmeterCommand.EXIT_FAILED, "interrupted");
        }
        try (InputStream in = reply.body()) {
            if (reply.statusCode() / 100 != 2) {
                throw refused(reply.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            return in.transferTo(out);
        } catch (final IOException e) {
            throw new CliException(RingmeterCommand.EXIT_FAILED, "the reply from " + baseUrl + " broke off: " + e);
        }
    }

    /**
     * @param path        e.g. {@code /api/v1/events}.
     * @param contentType of the body.
     * @param body        to send.
     * @return the reply's JSON.
     */
    JsonNode post(final String path, final String contentType, final byte[] body) {
        return json(send(request(path).header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build()));
    }

    /**
     * @param baseUrl a server's.
     * @return whether anything answers HTTP there within two seconds.
     */
    static boolean answers(final String baseUrl) {
        try {
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build().send(HttpRequest.newBuilder(
                URI.create(baseUrl + "/health")).timeout(Duration.ofSeconds(2)).GET().build(),
                HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (final IOException | IllegalArgumentException e) {
            return false;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private HttpRequest.Builder request(final String pathAndQuery) {
        final HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(REQUEST_TIMEOUT);
        } catch (final IllegalArgumentException e) {
            throw new CliException(RingmeterCommand.EXIT_USAGE, "not a URL: " + baseUrl + " (" + e.getMessage() + ")");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private HttpResponse<String> send(final HttpRequest request) {
        final HttpResponse<String> reply;
        try {
            reply = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (final IOException e) {
            throw unreachable(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(RingmeterCommand.EXIT_FAILED, "interrupted");
        }
        if (reply.statusCode() / 100 != 2) {
            throw refused(reply.statusCode(), reply.body());
        }
        return reply;
    }

    private CliException unreachable(final IOException e) {
        return new CliException(RingmeterCommand.EXIT_UNREACHABLE, "cannot reach the server at " + baseUrl + " ("
            + e + ")");
    }

    /** @return the failure of a reply that is not 2xx, saying the field and error of a JSON refusal. */
    private CliException refused(final int status, final String body) {
        String message = body;
        try {
            final JsonNode error = MAPPER.readTree(body);
            if (error != null && error.hasNonNull("error")) {
                message = (error.hasNonNull("field") ? error.get("field").asText() + ": " : "")
                    + error.get("error").asText();
            }
        } catch (final IOException notJson) {
            // the body as it is
        }
        return new CliException(RingmeterCommand.EXIT_FAILED, "the server at " + baseUrl + " answered " + status
            + ": " + message.strip(), status);
    }

    private JsonNode json(final HttpResponse<String> reply) {
        try {
            return reply.body().isEmpty() ? MAPPER.nullNode() : MAPPER.readTree(reply.body());
        } catch (final IOException e) {
            throw new CliException(RingmeterCommand.EXIT_FAILED, "the server at " + baseUrl + " answered with"
                + " something other than JSON: " + e.getMessage());
        }
    }

    private static String encode(final String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (local != null) {
            local.close();
        }
    }
}
