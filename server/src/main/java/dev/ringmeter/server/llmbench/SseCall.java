package dev.ringmeter.server.llmbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmeter.Status;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One request's measurement: the JDK HTTP client's body subscriber for it. {@link #onNext} takes
 * {@link System#nanoTime()} first, when the bytes arrive and before any parsing; a streamed body is parsed as
 * server-sent events incrementally (a line or an event split across chunks is joined), each event stamped with the
 * arrival time of the bytes that completed it.
 * <p>
 * What counts: the first chunk with content ({@code delta.content}, {@code text}) or reasoning
 * ({@code delta.reasoning_content}, {@code delta.reasoning}) sets TTFT; each later such chunk adds its gap to the
 * previous one. Usage ({@code prompt_tokens}, {@code completion_tokens}) is taken from the body, never counted again.
 * A failure: an HTTP status other than 200 ({@code http_<status>}), an event with {@code error}
 * ({@code stream_error}), a stream that ends without {@code [DONE]} or a finish reason ({@code incomplete_stream}),
 * a connection failure ({@code connection_error}), the timeout ({@code timeout}), or an answer that is not JSON
 * ({@code bad_response}).
 * <p>
 * Threading: the HTTP client calls it from one thread at a time (the subscriber rules of {@link Flow}); its end
 * ({@link #finish}) may race a timeout or cancel from another thread, and happens once ({@link #ended}). Memory:
 * the line being parsed, the answer up to {@link #MAX_ANSWER_CHARS}, gaps up to {@link #MAX_GAPS}, an error body up
 * to {@link #MAX_BODY_BYTES}.
 */
final class SseCall implements HttpResponse.BodySubscriber<Void> {
    /** Most answer characters kept for quality scores. */
    static final int MAX_ANSWER_CHARS = 64 * 1024;
    /** Most gaps between content chunks kept per request (later ones fold into the last). */
    static final int MAX_GAPS = 64 * 1024;
    /** Most bytes of a non-streamed body or error body kept. */
    static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean stream;
    private final Consumer<SseCall> onEnd;
    final long baseNs;
    final long sendNs;
    private final AtomicBoolean ended = new AtomicBoolean();

    private volatile Flow.Subscription subscription;
    int httpStatus;
    String requestId;
    private byte[] line = new byte[256];
    private int lineLength;
    private final StringBuilder data = new StringBuilder();
    private byte[] body;
    private int bodyLength;
    private boolean bodyTruncated;

    long firstContentNs = -1;
    long lastContentNs = -1;
    long lastByteNs = -1;
    long[] gapsNs = new long[16];
    int gaps;
    long contentChunks;
    long promptTokens = -1;
    long completionTokens = -1;
    boolean done;
    boolean finishReason;
    final StringBuilder answer = new StringBuilder();
    Status status;
    String errorType;
    String errorMessage;
    long endNs;

    /**
     * @param stream whether the body is SSE.
     * @param baseNs what latencies count from (the scheduled time, or the send).
     * @param sendNs when it was sent.
     * @param onEnd  called once, when it ended in any way.
     */
    SseCall(final boolean stream, final long baseNs, final long sendNs, final Consumer<SseCall> onEnd) {
        this.stream = stream;
        this.baseNs = baseNs;
        this.sendNs = sendNs;
        this.onEnd = onEnd;
    }

    /** @return the body handler that records status and request id and hands the body to this. */
    HttpResponse.BodyHandler<Void> handler() {
        return info -> {
            httpStatus = info.statusCode();
            requestId = info.headers().firstValue("x-request-id").orElse(null);
            return this;
        };
    }

    @Override
    public CompletionStage<Void> getBody() {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    @Override
    public void onSubscribe(final Flow.Subscription s) {
        subscription = s;
        if (ended.get()) {
            s.cancel();
        } else {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(final List<ByteBuffer> buffers) {
        final long nowNs = System.nanoTime();
        lastByteNs = nowNs;
        if (ended.get()) {
            return;
        }
        for (final ByteBuffer b : buffers) {
            if (stream && httpStatus == 200) {
                while (b.hasRemaining()) {
                    final byte c = b.get();
                    if (c == '\n') {
                        line(nowNs);
                        lineLength = 0;
                    } else {
                        if (lineLength == line.length) {
                            if (line.length >= MAX_BODY_BYTES) {
                                fail(Status.ERROR, "bad_response", "an SSE line longer than " + MAX_BODY_BYTES
                                    + " bytes");
                                return;
                            }
                            line = Arrays.copyOf(line, line.length * 2);
                        }
                        line[lineLength++] = c;
                    }
                }
            } else {
                keep(b);
            }
        }
    }

    private void keep(final ByteBuffer b) {
        if (body == null) {
            body = new byte[1024];
        }
        final int n = b.remaining();
        if (bodyLength + n > MAX_BODY_BYTES) {
            bodyTruncated = true;
            b.position(b.limit());
            return;
        }
        if (bodyLength + n > body.length) {
            body = Arrays.copyOf(body, Math.max(body.length * 2, bodyLength + n));
        }
        b.get(body, bodyLength, n);
        bodyLength += n;
    }

    private void line(final long nowNs) {
        int len = lineLength;
        if (len > 0 && line[len - 1] == '\r') {
            len--;
        }
        if (len == 0) {
            if (data.length() > 0) {
                event(data.toString(), nowNs);
                data.setLength(0);
            }
            return;
        }
        final String text = new String(line, 0, len, StandardCharsets.UTF_8);
        if (text.startsWith("data:")) {
            if (data.length() > 0) {
                data.append('\n');
            }
            data.append(text.startsWith("data: ") ? text.substring(6) : text.substring(5));
        }
    }

    private void event(final String payload, final long nowNs) {
        if ("[DONE]".equals(payload.trim())) {
            done = true;
            return;
        }
        final JsonNode node;
        try {
            node = JSON.readTree(payload);
        } catch (final IOException e) {
            fail(Status.ERROR, "bad_response", "an SSE event that is not JSON: " + clip(payload));
            return;
        }
        if (node.has("error") && !node.get("error").isNull()) {
            fail(Status.ERROR, "stream_error", errorText(node.get("error")));
            return;
        }
        readCommon(node);
        final JsonNode choice = node.path("choices").path(0);
        String content = null;
        if (!choice.isMissingNode()) {
            final JsonNode delta = choice.path("delta");
            content = nonEmpty(delta.path("content"));
            if (content == null) {
                content = nonEmpty(delta.path("reasoning_content"));
            }
            if (content == null) {
                content = nonEmpty(delta.path("reasoning"));
            }
            if (content == null) {
                content = nonEmpty(choice.path("text"));
            }
            if (choice.hasNonNull("finish_reason")) {
                finishReason = true;
            }
        }
        if (content != null) {
            contentChunks++;
            if (firstContentNs < 0) {
                firstContentNs = nowNs;
            } else {
                if (gaps == gapsNs.length && gaps < MAX_GAPS) {
                    gapsNs = Arrays.copyOf(gapsNs, Math.min(MAX_GAPS, gaps * 2));
                }
                if (gaps < MAX_GAPS) {
                    gapsNs[gaps++] = nowNs - lastContentNs;
                } else {
                    gapsNs[MAX_GAPS - 1] += nowNs - lastContentNs;
                }
            }
            lastContentNs = nowNs;
            if (delta(choice).path("content").isTextual() || choice.path("text").isTextual()) {
                appendAnswer(content);
            }
        }
    }

    private static JsonNode delta(final JsonNode choice) {
        return choice.path("delta");
    }

    private void appendAnswer(final String content) {
        final int room = MAX_ANSWER_CHARS - answer.length();
        if (room > 0) {
            answer.append(content, 0, Math.min(room, content.length()));
        }
    }

    private void readCommon(final JsonNode node) {
        final JsonNode usage = node.path("usage");
        if (usage.isObject()) {
            if (usage.path("prompt_tokens").canConvertToLong()) {
                promptTokens = usage.path("prompt_tokens").asLong();
            }
            if (usage.path("completion_tokens").canConvertToLong()) {
                completionTokens = usage.path("completion_tokens").asLong();
            }
        }
        if (requestId == null && node.path("id").isTextual()) {
            requestId = node.path("id").asText();
        }
    }

    private static String nonEmpty(final JsonNode n) {
        return n.isTextual() && !n.asText().isEmpty() ? n.asText() : null;
    }

    private static String errorText(final JsonNode error) {
        final String m = error.path("message").isTextual() ? error.path("message").asText() : error.toString();
        return clip(m);
    }

    private static String clip(final String s) {
        return s.length() <= 512 ? s : s.substring(0, 512);
    }

    @Override
    public void onError(final Throwable t) {
        fail(Status.ERROR, "connection_error", clip(String.valueOf(t)));
    }

    @Override
    public void onComplete() {
        if (ended.get()) {
            return;
        }
        final long endAt = lastByteNs > 0 ? lastByteNs : System.nanoTime();
        if (httpStatus != 200) {
            final String text = body == null ? "" : new String(body, 0, bodyLength, StandardCharsets.UTF_8);
            String message = clip(text);
            try {
                final JsonNode n = JSON.readTree(text);
                if (n != null && n.has("error")) {
                    message = errorText(n.get("error"));
                }
            } catch (final IOException e) {
                message = clip(text);
            }
            end(Status.ERROR, "http_" + httpStatus, message, endAt);
            return;
        }
        if (stream) {
            if (lineLength > 0) {
                line(endAt);
                lineLength = 0;
            }
            if (data.length() > 0) {
                event(data.toString(), endAt);
                data.setLength(0);
            }
            if (ended.get()) {
                return;
            }
            if (!done && !finishReason) {
                end(Status.ERROR, "incomplete_stream", "the stream ended without [DONE] or a finish reason", endAt);
            } else {
                end(Status.OK, null, null, endAt);
            }
            return;
        }
        if (bodyTruncated) {
            end(Status.ERROR, "bad_response", "a body longer than " + MAX_BODY_BYTES + " bytes", endAt);
            return;
        }
        try {
            final JsonNode n = JSON.readTree(new String(body == null ? new byte[0] : body, 0, bodyLength,
                StandardCharsets.UTF_8));
            if (n == null || !n.isObject()) {
                end(Status.ERROR, "bad_response", "the body is not a JSON object", endAt);
                return;
            }
            if (n.hasNonNull("error")) {
                end(Status.ERROR, "stream_error", errorText(n.get("error")), endAt);
                return;
            }
            readCommon(n);
            final JsonNode choice = n.path("choices").path(0);
            String content = nonEmpty(choice.path("message").path("content"));
            if (content == null) {
                content = nonEmpty(choice.path("text"));
            }
            if (content != null) {
                contentChunks = 1;
                appendAnswer(content);
            }
            end(Status.OK, null, null, endAt);
        } catch (final IOException e) {
            end(Status.ERROR, "bad_response", "the body is not JSON: " + clip(e.getMessage()), endAt);
        }
    }

    /**
     * Ends it as failed (timeout, cancel, or a failure found while parsing), cancelling the body's subscription so
     * the connection is closed. No effect once ended.
     */
    void fail(final Status s, final String type, final String message) {
        end(s, type, message, System.nanoTime());
        final Flow.Subscription sub = subscription;
        if (sub != null) {
            sub.cancel();
        }
    }

    private void end(final Status s, final String type, final String message, final long atNs) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        status = s;
        errorType = type;
        errorMessage = message;
        endNs = atNs;
        onEnd.accept(this);
    }

    /** Receives inter-token latencies: a value and how many tokens it stands for. */
    interface ItlSink {
        void accept(long itlNs, long tokens);
    }

    /**
     * Hands out the inter-token latencies: each gap between content chunks after the first is divided evenly over
     * the tokens of the chunk that ended it. A chunk's tokens are the usage's completion_tokens spread evenly over
     * the content chunks, the remainder one each to the first chunks (so 16 tokens in chunks of 4 make 4 a chunk,
     * 15 make 4, 4, 4, 3); without usage each chunk is one token. The first chunk's tokens have no gap and give none.
     *
     * @param sink receives each value with its token count.
     */
    void itl(final ItlSink sink) {
        final long chunks = contentChunks;
        if (chunks < 2) {
            return;
        }
        final long tokens = Math.max(completionTokens, chunks);
        final long base = tokens / chunks;
        final long rem = tokens % chunks;
        for (int i = 0; i < gaps; i++) {
            final long k = base + (i + 1 < rem ? 1 : 0);
            sink.accept(gapsNs[i] / k, k);
        }
    }

    /** Records the inter-token latencies into a histogram, clamped to its range. */
    void itl(final org.HdrHistogram.Histogram h, final long lowestNs, final long highestNs) {
        itl((v, k) -> h.recordValueWithCount(Math.max(lowestNs, Math.min(highestNs, v)), k));
    }

    /** @return whether it has ended. */
    boolean ended() {
        return ended.get();
    }
}
