package dev.ringmeter.otlp.export;

import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.opentelemetry.sdk.common.export.HttpSender;
import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import io.opentelemetry.sdk.common.export.MessageWriter;
import io.opentelemetry.sdk.common.export.RetryPolicy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Sends the export's OTLP/HTTP requests with the JDK's {@link HttpClient} instead of the SDK's default OkHttp sender.
 * The reason is the connection's Nagle algorithm: OkHttp leaves it on, and writes a request body larger than its
 * 8 KB buffer in pieces, so the last piece waited for the acknowledgement of the first, which the receiver's kernel
 * delays (40 ms on Linux, up to 200 ms elsewhere): every export of more than a few models paid that wait (the fixed
 * 40 to 100 ms of docs/performance.md section 22). The JDK's client sets {@code TCP_NODELAY} on its connections.
 * <p>
 * It honours the exporter's settings: endpoint, content type, compression, headers, timeout, connect timeout, proxy,
 * TLS context and retry policy (429, 502, 503 and 504, and the I/O failures the policy's predicate names or, with
 * none, a refused connection or a timeout, retried with the policy's jittered exponential backoff). One request body
 * is held per export in flight, and at most {@link HttpSenderConfig#getMaxResponseBodySize()} bytes of a reply
 * (64 KB when unset).
 * <p>
 * Threading: {@link #send} may be called from any thread; the request and its retries run on the client's executor
 * (the exporter's, if it set one) and call back there.
 */
final class NoDelayHttpSender implements HttpSender {
    private static final Set<Integer> RETRYABLE = Set.of(429, 502, 503, 504);
    private static final long DEFAULT_MAX_RESPONSE = 64 * 1024;

    private final HttpSenderConfig config;
    private final HttpClient client;
    private final long maxResponse;

    private NoDelayHttpSender(final HttpSenderConfig config) {
        this.config = config;
        final HttpClient.Builder b = HttpClient.newBuilder()
            .version("https".equalsIgnoreCase(config.getEndpoint().getScheme()) ? HttpClient.Version.HTTP_2
                : HttpClient.Version.HTTP_1_1);
        if (config.getConnectTimeout() != null && !config.getConnectTimeout().isZero()) {
            b.connectTimeout(config.getConnectTimeout());
        }
        if (config.getProxyOptions() != null) {
            b.proxy(config.getProxyOptions().getProxySelector());
        }
        if (config.getSslContext() != null) {
            b.sslContext(config.getSslContext());
        }
        if (config.getExecutorService() != null) {
            b.executor(config.getExecutorService());
        }
        this.client = b.build();
        this.maxResponse = config.getMaxResponseBodySize() > 0 ? config.getMaxResponseBodySize()
            : DEFAULT_MAX_RESPONSE;
    }

    /**
     * @return a component loader that gives the exporter this sender and everything else from this class's loader.
     */
    static ComponentLoader loader() {
        final ComponentLoader base = ComponentLoader.forClassLoader(NoDelayHttpSender.class.getClassLoader());
        final HttpSenderProvider provider = NoDelayHttpSender::new;
        return new ComponentLoader() {
            @Override
            public <T> Iterable<T> load(final Class<T> type) {
                return type == HttpSenderProvider.class ? List.of(type.cast(provider)) : base.load(type);
            }
        };
    }

    @Override
    public void send(final MessageWriter writer, final Consumer<HttpResponse> onResponse,
                     final Consumer<Throwable> onError) {
        final HttpRequest request;
        try {
            request = request(writer);
        } catch (final IOException | RuntimeException e) {
            onError.accept(e);
            return;
        }
        final RetryPolicy policy = config.getRetryPolicy();
        attempt(request, 1, policy == null ? 0 : policy.getInitialBackoff().toNanos(), onResponse, onError);
    }

    private HttpRequest request(final MessageWriter writer) throws IOException {
        final Body body = new Body(Math.max(32, writer.getContentLength()));
        final HttpRequest.Builder r = HttpRequest.newBuilder(config.getEndpoint())
            .header("Content-Type", config.getContentType());
        if (config.getCompressor() != null) {
            r.header("Content-Encoding", config.getCompressor().getEncoding());
            try (OutputStream out = config.getCompressor().compress(body)) {
                writer.writeMessage(out);
            }
        } else {
            writer.writeMessage(body);
        }
        if (config.getTimeout() != null && !config.getTimeout().isZero()) {
            r.timeout(config.getTimeout());
        }
        if (config.getHeadersSupplier() != null) {
            final Map<String, List<String>> headers = config.getHeadersSupplier().get();
            if (headers != null) {
                headers.forEach((name, values) -> values.forEach(v -> r.header(name, v)));
            }
        }
        return r.POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes(), 0, body.size())).build();
    }

    private void attempt(final HttpRequest request, final int attempt, final long backoffNanos,
                         final Consumer<HttpResponse> onResponse, final Consumer<Throwable> onError) {
        client.sendAsync(request, java.net.http.HttpResponse.BodyHandlers.ofInputStream()).whenComplete((r, t) -> {
            final Throwable failure = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
            final RetryPolicy policy = config.getRetryPolicy();
            if (policy != null && attempt < policy.getMaxAttempts()
                && (failure == null ? RETRYABLE.contains(r.statusCode()) : retryable(failure, policy))) {
                if (r != null) {
                    close(r.body());
                }
                final long delay = ThreadLocalRandom.current().nextLong(Math.max(1, backoffNanos));
                final long next = Math.min((long)(backoffNanos * policy.getBackoffMultiplier()),
                    policy.getMaxBackoff().toNanos());
                CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS).execute(
                    () -> attempt(request, attempt + 1, next, onResponse, onError));
                return;
            }
            if (failure != null) {
                onError.accept(failure);
                return;
            }
            final byte[] body;
            try (InputStream in = r.body()) {
                body = in.readNBytes((int)Math.min(Integer.MAX_VALUE - 8, maxResponse));
            } catch (final IOException e) {
                onError.accept(e);
                return;
            }
            onResponse.accept(new Response(r.statusCode(), body));
        });
    }

    private static boolean retryable(final Throwable failure, final RetryPolicy policy) {
        if (!(failure instanceof IOException)) {
            return false;
        }
        return policy.getRetryExceptionPredicate() != null
            ? policy.getRetryExceptionPredicate().test((IOException)failure)
            : failure instanceof ConnectException || failure instanceof HttpTimeoutException;
    }

    private static void close(final InputStream in) {
        try {
            in.close();
        } catch (final IOException ignored) {
            // the reply of an attempt retried: nothing of it is read
        }
    }

    @Override
    public CompletableResultCode shutdown() {
        // the JDK 17 client has no close: its connections and selector thread end when it is unreachable
        return CompletableResultCode.ofSuccess();
    }

    /** A request body sent from its own buffer, without the copy {@link #toByteArray()} makes. One thread. */
    private static final class Body extends ByteArrayOutputStream {
        Body(final int size) {
            super(size);
        }

        byte[] bytes() {
            return buf;
        }
    }

    /** A reply as the exporter reads it. */
    private record Response(int status, byte[] body) implements HttpResponse {
        @Override
        public int getStatusCode() {
            return status;
        }

        @Override
        public String getStatusMessage() {
            return "";
        }

        @Override
        public byte[] getResponseBody() {
            return body;
        }
    }
}
