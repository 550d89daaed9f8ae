package dev.ringmeter.remote;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Options of a {@link RemoteRecorder}: a fluent context, checked once by {@link #conclude()} (which the recorder
 * calls when it opens). Every option can also be given as a query parameter of the server URI
 * ({@link #fromUri(URI)}), so that a service switches recorders and tunes them by configuration alone:
 * {@code http://metrics:8080?batchSize=500&lingerMs=50}.
 * <p>
 * Threading: configure on one thread, then hand to the recorder; not changed after.
 */
public final class RemoteConfig {
    /** Default slots of the buffer: about 13.6 MB (208 bytes per slot) pre-allocated. */
    public static final int DEFAULT_BUFFER_CAPACITY = 65_536;
    public static final int DEFAULT_BATCH_SIZE = 1_000;
    /** The server's default {@code --max-batch}: a larger batch would be refused whole. */
    public static final int MAX_BATCH_SIZE = 10_000;
    public static final int DEFAULT_MAX_BATCH_BYTES = 1 << 20;
    /** The server's default {@code --max-body-bytes}. */
    public static final int MAX_BATCH_BYTES = 4 << 20;
    public static final long DEFAULT_LINGER_MS = 100;
    /** Retry a retryable failure until it succeeds or the recorder is closed. */
    public static final int UNLIMITED_RETRIES = Integer.MAX_VALUE;
    public static final long DEFAULT_INITIAL_BACKOFF_MS = 100;
    public static final long DEFAULT_MAX_BACKOFF_MS = 10_000;
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
    public static final long DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

    /** The value of a {@code token} query parameter, which no log or message may show. */
    private static final Pattern TOKEN_VALUE = Pattern.compile("([?&]token=)[^&#]*");
    private static final String PARAMETERS = "token, bufferCapacity, batchSize, maxBatchBytes, lingerMs, maxRetries, "
        + "initialBackoffMs, maxBackoffMs, requestTimeoutMs, connectTimeoutMs, closeTimeoutMs, gzip";

    private URI uri;
    private String token;
    private int bufferCapacity = DEFAULT_BUFFER_CAPACITY;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private int maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
    private long lingerMs = DEFAULT_LINGER_MS;
    private int maxRetries = UNLIMITED_RETRIES;
    private long initialBackoffMs = DEFAULT_INITIAL_BACKOFF_MS;
    private long maxBackoffMs = DEFAULT_MAX_BACKOFF_MS;
    private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
    private long connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
    private long closeTimeoutMs = DEFAULT_CLOSE_TIMEOUT_MS;
    private boolean gzip;

    /**
     * Reads a server URI with options as query parameters, e.g.
     * {@code http://127.0.0.1:8080?token=s3cret&batchSize=500}. The query is removed from the URI.
     *
     * @param uri {@code http} or {@code https}, with an optional path prefix (a reverse proxy's).
     * @return the configuration, not yet concluded.
     * @throws IllegalArgumentException naming an unknown parameter or a value that is not a number.
     */
    public static RemoteConfig fromUri(final URI uri) {
        final RemoteConfig c = new RemoteConfig();
        final String query = uri.getRawQuery();
        try {
            c.uri(new URI(uri.getScheme(), uri.getRawAuthority(), uri.getRawPath(), null, null));
        } catch (final URISyntaxException e) {
            throw new IllegalArgumentException("bad server URI " + redacted(uri) + ": " + e.getMessage(), e);
        }
        if (query == null || query.isEmpty()) {
            return c;
        }
        for (final String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            final int eq = pair.indexOf('=');
            final String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            final String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            switch (name) {
                case "token" -> c.token(value);
                case "bufferCapacity" -> c.bufferCapacity((int)number(name, value));
                case "batchSize" -> c.batchSize((int)number(name, value));
                case "maxBatchBytes" -> c.maxBatchBytes((int)number(name, value));
                case "lingerMs" -> c.lingerMs(number(name, value));
                case "maxRetries" -> c.maxRetries((int)number(name, value));
                case "initialBackoffMs" -> c.initialBackoffMs(number(name, value));
                case "maxBackoffMs" -> c.maxBackoffMs(number(name, value));
                case "requestTimeoutMs" -> c.requestTimeoutMs(number(name, value));
                case "connectTimeoutMs" -> c.connectTimeoutMs(number(name, value));
                case "closeTimeoutMs" -> c.closeTimeoutMs(number(name, value));
                case "gzip" -> c.gzip(flag(name, value));
                default -> throw new IllegalArgumentException("unknown parameter '" + name + "' in the server URI; "
                    + "valid: " + PARAMETERS);
            }
        }
        return c;
    }

    private static boolean flag(final String name, final String value) {
        if (value.equals("true") || value.isEmpty()) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException(name + " must be true or false but was '" + value + "'");
    }

    private static String decode(final String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static long number(final String name, final String value) {
        try {
            final long n = Long.parseLong(value);
            if (n > Integer.MAX_VALUE && !name.endsWith("Ms")) {
                throw new IllegalArgumentException(name + " is out of range: " + value);
            }
            return n;
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number but was '" + value + "'", e);
        }
    }

    /**
     * @param uri of the server, {@code http://host:port} or {@code https://...}, with an optional path prefix;
     *            required. The recorder posts to {@code <uri>/api/v1/events} and {@code <uri>/api/v1/metrics}.
     * @return this.
     */
    public RemoteConfig uri(final URI uri) {
        this.uri = uri;
        return this;
    }

    /**
     * @param uri of the server as a string.
     * @return this.
     */
    public RemoteConfig uri(final String uri) {
        return uri(URI.create(uri));
    }

    /**
     * @param token bearer token the server requires ({@code --token}); null for none. Never logged.
     * @return this.
     */
    public RemoteConfig token(final String token) {
        this.token = token == null || token.isEmpty() ? null : token;
        return this;
    }

    /**
     * @param events slots of the buffer between {@code record()} and the sender, rounded up to a power of two;
     *               pre-allocated at about 208 bytes each. When it is full, {@code record()} drops and counts.
     * @return this.
     */
    public RemoteConfig bufferCapacity(final int events) {
        this.bufferCapacity = events;
        return this;
    }

    /**
     * @param events most items in one request, 1 to {@value #MAX_BATCH_SIZE}.
     * @return this.
     */
    public RemoteConfig batchSize(final int events) {
        this.batchSize = events;
        return this;
    }

    /**
     * @param bytes a batch is cut once its body reaches this size; keep it under the server's
     *              {@code --max-body-bytes} (4 MiB by default) minus one event.
     * @return this.
     */
    public RemoteConfig maxBatchBytes(final int bytes) {
        this.maxBatchBytes = bytes;
        return this;
    }

    /**
     * @param ms how long the sender waits for a batch to fill before it sends what it has; 0 sends at once.
     * @return this.
     */
    public RemoteConfig lingerMs(final long ms) {
        this.lingerMs = ms;
        return this;
    }

    /**
     * @param retries how many times a batch is retried after a retryable failure (5xx, 429, 408, connection error,
     *                timeout) before it is given up and counted as failed; {@link #UNLIMITED_RETRIES} (the
     *                default) retries until it is delivered or the recorder is closed, while new events fill the
     *                buffer and past its bound are dropped.
     * @return this.
     */
    public RemoteConfig maxRetries(final int retries) {
        this.maxRetries = retries;
        return this;
    }

    /**
     * @param ms the wait after the first failure; it doubles with each failure up to {@link #maxBackoffMs}, and
     *           each wait is drawn uniformly between half of it and all of it.
     * @return this.
     */
    public RemoteConfig initialBackoffMs(final long ms) {
        this.initialBackoffMs = ms;
        return this;
    }

    /**
     * @param ms the longest wait between attempts (a server's {@code Retry-After} is honoured beyond it, up to
     *           5 minutes).
     * @return this.
     */
    public RemoteConfig maxBackoffMs(final long ms) {
        this.maxBackoffMs = ms;
        return this;
    }

    /**
     * @param ms how long one request may take, from sending to the reply's headers; past it the attempt counts as
     *           a failure and is retried (the server may have kept the batch: a retry can duplicate it).
     * @return this.
     */
    public RemoteConfig requestTimeoutMs(final long ms) {
        this.requestTimeoutMs = ms;
        return this;
    }

    /**
     * @param ms how long opening a connection may take.
     * @return this.
     */
    public RemoteConfig connectTimeoutMs(final long ms) {
        this.connectTimeoutMs = ms;
        return this;
    }

    /**
     * @param ms how long {@code close()} waits for what is buffered to be delivered before it gives up on it.
     * @return this.
     */
    public RemoteConfig closeTimeoutMs(final long ms) {
        this.closeTimeoutMs = ms;
        return this;
    }

    /**
     * @param gzip whether to compress each batch (Content-Encoding: gzip); default false. Worth it across a
     *             network: an NDJSON batch shrinks about tenfold; on loopback it only costs CPU.
     * @return this.
     */
    public RemoteConfig gzip(final boolean gzip) {
        this.gzip = gzip;
        return this;
    }

    /** @return whether batches are gzip-compressed. */
    public boolean gzip() {
        return gzip;
    }

    /**
     * Checks every option once; the recorder calls it when it opens.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad option.
     */
    public RemoteConfig conclude() {
        if (uri == null) {
            throw new IllegalArgumentException("uri is required");
        }
        final String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("uri must be http://host:port or https://... but was " + redacted(uri));
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("uri has no host: " + redacted(uri));
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("uri must not carry a query, fragment or user info (use "
                + "RemoteConfig.fromUri for options in the query): " + redacted(uri));
        }
        if (bufferCapacity < 2 || bufferCapacity > 1 << 24) {
            throw new IllegalArgumentException("bufferCapacity must be 2 to 16777216 but was " + bufferCapacity);
        }
        bufferCapacity = Integer.bitCount(bufferCapacity) == 1 ? bufferCapacity
            : Integer.highestOneBit(bufferCapacity) << 1;
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batchSize must be 1 to " + MAX_BATCH_SIZE + " but was " + batchSize);
        }
        if (maxBatchBytes < 1024 || maxBatchBytes > MAX_BATCH_BYTES) {
            throw new IllegalArgumentException("maxBatchBytes must be 1024 to " + MAX_BATCH_BYTES + " but was "
                + maxBatchBytes);
        }
        check("lingerMs", lingerMs, 0, 60_000);
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0 but was " + maxRetries);
        }
        check("initialBackoffMs", initialBackoffMs, 1, 60_000);
        check("maxBackoffMs", maxBackoffMs, initialBackoffMs, 600_000);
        check("requestTimeoutMs", requestTimeoutMs, 1, 600_000);
        check("connectTimeoutMs", connectTimeoutMs, 1, 600_000);
        check("closeTimeoutMs", closeTimeoutMs, 0, 600_000);
        return this;
    }

    private static void check(final String name, final long value, final long min, final long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + " to " + max + " but was " + value);
        }
    }

    static String redacted(final URI uri) {
        return uri.getRawQuery() == null ? uri.toString() : redacted(uri.toString());
    }

    /**
     * @param uri a recorder or server URI as given, possibly malformed.
     * @return the URI with the value of its {@code token} query parameter replaced by {@code ***}, fit for a log
     * or a message.
     */
    public static String redacted(final String uri) {
        return TOKEN_VALUE.matcher(uri).replaceAll("$1***");
    }

    public URI uri() {
        return uri;
    }

    public String token() {
        return token;
    }

    public int bufferCapacity() {
        return bufferCapacity;
    }

    public int batchSize() {
        return batchSize;
    }

    public int maxBatchBytes() {
        return maxBatchBytes;
    }

    public long lingerMs() {
        return lingerMs;
    }

    public int maxRetries() {
        return maxRetries;
    }

    public long initialBackoffMs() {
        return initialBackoffMs;
    }

    public long maxBackoffMs() {
        return maxBackoffMs;
    }

    public long requestTimeoutMs() {
        return requestTimeoutMs;
    }

    public long connectTimeoutMs() {
        return connectTimeoutMs;
    }

    public long closeTimeoutMs() {
        return closeTimeoutMs;
    }

    @Override
    public String toString() {
        return "RemoteConfig{uri=" + (uri == null ? null : redacted(uri)) + ", auth=" + (token == null ? "none"
            : "bearer") + ", bufferCapacity=" + bufferCapacity + ", batchSize=" + batchSize + ", maxBatchBytes="
            + maxBatchBytes + ", lingerMs=" + lingerMs + ", maxRetries=" + maxRetries + ", initialBackoffMs="
            + initialBackoffMs + ", maxBackoffMs=" + maxBackoffMs + ", requestTimeoutMs=" + requestTimeoutMs
            + ", connectTimeoutMs=" + connectTimeoutMs + ", closeTimeoutMs=" + closeTimeoutMs + ", gzip=" + gzip + '}';
    }
}
