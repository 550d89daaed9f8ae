package dev.ringmeter.server.mockllm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * mock-llm: an OpenAI-compatible stand-in endpoint with the delays, lengths and errors of a {@link MockLlmConfig}, for
 * tests and benchmarks that need an LLM with known behaviour. {@code POST /v1/chat/completions} and
 * {@code POST /v1/completions} (streamed as SSE {@code data:} chunks ending with {@code data: [DONE]}, with a final
 * usage chunk when {@code stream_options.include_usage} is true, or as one JSON reply with its usage), and
 * {@code GET /v1/models}, and {@code POST /v1/embeddings} (unit vectors, 8 dimensions unless asked, after the TTFT).
 * Every reply carries an {@code x-request-id} header, which is also the reply's {@code id}.
 * Bad input is a 400 in OpenAI's error shape ({@code {"error":{"message","type","param","code"}}}).
 * <p>
 * Timing: each call runs on a thread of its own that paces its chunks against absolute deadlines of
 * {@link System#nanoTime()} ({@link Pacer}), counted from the moment the request's body was read; see
 * {@link MockLlmConfig} for the schedule. Bounds: at most {@link MockLlmConfig#maxConcurrentStreams()} calls at once
 * (more are answered 429 at once, on the accepting thread), bodies up to {@link MockLlmConfig#maxBodyBytes()} (more is
 * a 413). Memory: one thread and one body per call in flight.
 * <p>
 * Threading: {@link #start}, {@link #port()} and {@link #close()} may be called from any thread; requests are served
 * on the server's own threads.
 */
public final class MockLlm implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = {" lorem", " ipsum", " dolor", " sit", " amet", " consectetur", " adipiscing",
        " elit"};
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<Boolean> OVERLOADED = new ThreadLocal<>();

    static {
        // Without TCP_NODELAY a chunk written right after the headers waits for their ACK, which the client delays by
        // up to 40 ms: every TTFT below that would be measured late. The JDK server reads this once, when it first
        // starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final MockLlmConfig config;
    private final HttpServer http;
    private final ExecutorService threads;
    private final Semaphore permits;
    private final AtomicLong requestIds = new AtomicLong();

    private MockLlm(final MockLlmConfig config, final HttpServer http) {
        this.config = config;
        this.http = http;
        this.permits = new Semaphore(config.maxConcurrentStreams());
        this.threads = Executors.newCachedThreadPool(r -> {
            final Thread t = new Thread(r, "mock-llm-call");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a server.
     *
     * @param config what it answers.
     * @param host   to bind, e.g. {@code 127.0.0.1}.
     * @param port   to bind; 0 picks a free one ({@link #port()} tells which).
     * @return the running server.
     * @throws IOException if the port cannot be bound.
     */
    public static MockLlm start(final MockLlmConfig config, final String host, final int port) throws IOException {
        final HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 128);
        final MockLlm mock = new MockLlm(config, http);
        http.setExecutor(mock::dispatch);
        http.createContext("/v1/chat/completions", ex -> mock.serve(ex, true));
        http.createContext("/v1/completions", ex -> mock.serve(ex, false));
        http.createContext("/v1/models", mock::models);
        http.createContext("/v1/embeddings", mock::embeddings);
        http.createContext("/", ex -> mock.reply(ex, 404, error("no route " + ex.getRequestURI().getPath()
            + "; mock-llm serves /v1/chat/completions, /v1/completions and /v1/models", "invalid_request_error", null,
            "not_found")));
        http.start();
        return mock;
    }

    /**
     * Starts a server on 127.0.0.1 and a free port.
     *
     * @param config what it answers.
     * @return the running server.
     * @throws IOException if no port can be bound.
     */
    public static MockLlm start(final MockLlmConfig config) throws IOException {
        return start(config, "127.0.0.1", 0);
    }

    /** @return the port it listens on. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** @return the base URL of its OpenAI API, e.g. {@code http://127.0.0.1:8081/v1}. */
    public String baseUrl() {
        return "http://" + http.getAddress().getHostString() + ":" + port() + "/v1";
    }

    /** @return what it answers. */
    public MockLlmConfig config() {
        return config;
    }

    /** Stops accepting, interrupts the calls in flight and waits up to a second for them. Idempotent. */
    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(1, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs an exchange on a thread of its own while a permit is free, else on the accepting thread, marked. */
    private void dispatch(final Runnable exchange) {
        if (permits.tryAcquire()) {
            try {
                threads.execute(() -> {
                    try {
                        exchange.run();
                    } finally {
                        permits.release();
                    }
                });
                return;
            } catch (final RuntimeException rejected) {   // closing
                permits.release();
            }
        }
        OVERLOADED.set(Boolean.TRUE);
        try {
            exchange.run();
        } finally {
            OVERLOADED.remove();
        }
    }

    private boolean overloaded(final HttpExchange ex) throws IOException {
        if (OVERLOADED.get() == null) {
            return false;
        }
        reply(ex, 429, error("mock-llm serves at most " + config.maxConcurrentStreams() + " calls at once",
            "rate_limit_exceeded", null, "too_many_concurrent_calls"));
        return true;
    }

    private void models(final HttpExchange ex) throws IOException {
        try (ex) {
            if (overloaded(ex)) {
                return;
            }
            if (!"GET".equals(ex.getRequestMethod())) {
                reply(ex, 405, error("use GET for /v1/models", "invalid_request_error", null, "method_not_allowed"));
                return;
            }
            final ObjectNode body = JSON.createObjectNode().put("object", "list");
            final ArrayNode data = body.putArray("data");
            for (final String m : config.models()) {
                data.addObject().put("id", m).put("object", "model").put("created", 0).put("owned_by", "mock-llm");
            }
            ex.getResponseHeaders().set("x-request-id", nextRequestId());
            reply(ex, 200, body);
        }
    }

    /** {@code POST /v1/embeddings}: deterministic unit vectors, after the TTFT. */
    private void embeddings(final HttpExchange ex) throws IOException {
        try (ex) {
            if (overloaded(ex)) {
                return;
            }
            final String requestId = nextRequestId();
            ex.getResponseHeaders().set("x-request-id", requestId);
            final byte[] raw = readBody(ex);
            if (raw == null) {
                reply(ex, 413, error("the body exceeds " + config.maxBodyBytes() + " bytes", "invalid_request_error",
                    null, "body_too_large"));
                return;
            }
            final long startNs = System.nanoTime();
            final JsonNode body;
            final int[] parsed;
            try {
                try {
                    body = JSON.readTree(raw);
                } catch (final JsonProcessingException e) {
                    throw new MockLlmRequest.BadRequest(null, "the body is not valid JSON: " + e.getOriginalMessage());
                }
                parsed = MockLlmRequest.parseEmbeddings(body);
            } catch (final MockLlmRequest.BadRequest e) {
                reply(ex, 400, error(e.getMessage(), "invalid_request_error", e.param, null));
                return;
            }
            Pacer.awaitUntil(startNs + Math.round(config.profile(body.get("model").asText()).ttftMs()
                .sample(ThreadLocalRandom.current()) * 1e6));
            final ObjectNode reply = JSON.createObjectNode().put("object", "list");
            final ArrayNode data = reply.putArray("data");
            final double component = 1 / Math.sqrt(parsed[2]);
            for (int i = 0; i < parsed[0]; i++) {
                final ArrayNode vector = data.addObject().put("object", "embedding").put("index", i)
                    .putArray("embedding");
                for (int d = 0; d < parsed[2]; d++) {
                    vector.add(component);
                }
            }
            reply.put("model", body.get("model").asText());
            reply.putObject("usage").put("prompt_tokens", parsed[1]).put("total_tokens", parsed[1]);
            reply(ex, 200, reply);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(final HttpExchange ex, final boolean chat) throws IOException {
        try (ex) {
            if (overloaded(ex)) {
                return;
            }
            final String requestId = nextRequestId();
            ex.getResponseHeaders().set("x-request-id", requestId);
            if (!"POST".equals(ex.getRequestMethod())) {
                reply(ex, 405, error("use POST for " + ex.getRequestURI().getPath(), "invalid_request_error", null,
                    "method_not_allowed"));
                return;
            }
            final byte[] raw = readBody(ex);
            if (raw == null) {
                reply(ex, 413, error("the body exceeds " + config.maxBodyBytes() + " bytes", "invalid_request_error",
                    null, "body_too_large"));
                return;
            }
            final long startNs = System.nanoTime();
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            final MockLlmRequest request;
            try {
                final JsonNode body;
                try {
                    body = JSON.readTree(raw);
                } catch (final JsonProcessingException e) {
                    throw new MockLlmRequest.BadRequest(null, "the body is not valid JSON: "
                        + e.getOriginalMessage());
                }
                request = MockLlmRequest.parse(chat, body, config, random);
            } catch (final MockLlmRequest.BadRequest e) {
                reply(ex, 400, error(e.getMessage(), "invalid_request_error", e.param, null));
                return;
            }
            final Schedule schedule = new Schedule(config, request, random,
                config.maxConcurrentStreams() - permits.availablePermits());
            final boolean fail = config.errorRate() > 0 && random.nextDouble() < config.errorRate();
            if (fail && (config.errorKind() != MockLlmConfig.ErrorKind.STREAM || !request.stream)) {
                Pacer.awaitUntil(startNs + schedule.ttftNs);
                final boolean limited = config.errorKind() == MockLlmConfig.ErrorKind.HTTP_429;
                reply(ex, limited ? 429 : 500, limited
                    ? error("injected rate limit", "rate_limit_exceeded", null, "rate_limit_exceeded")
                    : error("injected server error", "server_error", null, "injected_error"));
                return;
            }
            final String id = (chat ? "chatcmpl-" : "cmpl-") + requestId;
            if (request.stream) {
                stream(ex, request, schedule, id, startNs, fail);
            } else {
                long offsetNs = 0;
                for (int c = 0; c < schedule.chunks; c++) {
                    offsetNs = schedule.next(offsetNs, c);
                }
                Pacer.awaitUntil(startNs + offsetNs);
                reply(ex, 200, whole(request, schedule.reasoningTokens, id));
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The draws of one call: its TTFT, its reasoning length, whether it stalls, and the factor for the calls in
     * flight; {@link #next} draws each inter-token delay as the chunks go. One per call, on the call's thread.
     */
    private static final class Schedule {
        final ModelProfile profile;
        final Random random;
        final double factor;
        final long ttftNs;
        final int reasoningTokens;
        final int perChunk;
        final int reasoningChunks;
        final int chunks;
        final long stallNs;
        final int stallAfterTokens;

        Schedule(final MockLlmConfig config, final MockLlmRequest request, final Random random,
                 final int inFlight) {
            this.profile = config.profile(request.model);
            this.random = random;
            this.factor = 1 + config.concurrencySlope() * Math.max(0, inFlight - 1);
            this.ttftNs = Math.round(profile.ttftMs().sample(random) * 1e6 * factor);
            this.reasoningTokens = request.chat ? (int)Math.min(MockLlmConfig.MAX_OUTPUT_TOKENS,
                Math.round(profile.reasoningTokens().sample(random))) : 0;
            this.perChunk = profile.tokensPerChunk();
            this.reasoningChunks = (reasoningTokens + perChunk - 1) / perChunk;
            this.chunks = reasoningChunks + Math.max(1, (request.outputTokens + perChunk - 1) / perChunk);
            final boolean stalls = config.stallNs() > 0
                && (config.stallRate() >= 1 || random.nextDouble() < config.stallRate());
            this.stallNs = stalls ? Math.round(config.stallNs() * factor) : 0;
            this.stallAfterTokens = config.stallAfterTokens();
        }

        /**
         * @param previousNs the offset of chunk {@code c - 1} (ignored for chunk 0).
         * @param c          the chunk, from 0.
         * @return the offset of chunk {@code c} from the body read.
         */
        long next(final long previousNs, final int c) {
            long offsetNs = c == 0 ? ttftNs
                : previousNs + Math.round(perChunk * profile.itlMs().sample(random) * 1e6 * factor);
            final boolean firstPast = tokensBefore(c) >= stallAfterTokens
                && (c == 0 || tokensBefore(c - 1) < stallAfterTokens);
            if (stallNs > 0 && firstPast) {
                offsetNs += stallNs;
            }
            return offsetNs;
        }

        private long tokensBefore(final int c) {
            return (long)c * perChunk;
        }
    }

    private void stream(final HttpExchange ex, final MockLlmRequest request, final Schedule schedule, final String id,
                        final long startNs, final boolean failMidway) throws IOException, InterruptedException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        final OutputStream out = ex.getResponseBody();
        final int perChunk = schedule.perChunk;
        final long created = System.currentTimeMillis() / 1000;
        long offsetNs = 0;
        for (int c = 0; c < schedule.chunks; c++) {
            offsetNs = schedule.next(offsetNs, c);
            Pacer.awaitUntil(startNs + offsetNs);
            if (failMidway && c == schedule.chunks / 2) {
                event(out, error("injected error mid-stream", "server_error", null, "injected_error"));
                return;
            }
            final boolean reasoning = c < schedule.reasoningChunks;
            final int limit = reasoning ? schedule.reasoningTokens : request.outputTokens;
            final int from = (reasoning ? c : c - schedule.reasoningChunks) * perChunk;
            final String text = text(from, Math.min(limit, from + perChunk));
            final ObjectNode chunk = envelope(request, id, created);
            final ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
            if (request.chat) {
                final ObjectNode delta = choice.putObject("delta");
                if (c == 0) {
                    delta.put("role", "assistant");
                }
                delta.put(reasoning ? "reasoning_content" : "content", text);
            } else {
                choice.put("text", text).putNull("logprobs");
            }
            choice.putNull("finish_reason");
            event(out, chunk);
        }
        final ObjectNode last = envelope(request, id, created);
        final ObjectNode choice = last.putArray("choices").addObject().put("index", 0);
        if (request.chat) {
            choice.putObject("delta");
        } else {
            choice.put("text", "").putNull("logprobs");
        }
        choice.put("finish_reason", finishReason(request));
        event(out, last);
        if (request.includeUsage) {
            final ObjectNode usage = envelope(request, id, created);
            usage.putArray("choices");
            usage.set("usage", usage(request, schedule.reasoningTokens));
            event(out, usage);
        }
        out.write(DONE);
        out.flush();
    }

    private ObjectNode whole(final MockLlmRequest request, final int reasoningTokens, final String id) {
        final ObjectNode body = envelope(request, id, System.currentTimeMillis() / 1000);
        final ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        final String text = text(0, request.outputTokens);
        if (request.chat) {
            final ObjectNode message = choice.putObject("message").put("role", "assistant").put("content", text);
            if (reasoningTokens > 0) {
                message.put("reasoning_content", text(0, reasoningTokens));
            }
        } else {
            choice.put("text", text).putNull("logprobs");
        }
        choice.put("finish_reason", finishReason(request));
        body.set("usage", usage(request, reasoningTokens));
        return body;
    }

    private static ObjectNode envelope(final MockLlmRequest request, final String id, final long created) {
        final ObjectNode node = JSON.createObjectNode().put("id", id);
        node.put("object", request.chat ? (request.stream ? "chat.completion.chunk" : "chat.completion")
            : "text_completion");
        return node.put("created", created).put("model", request.model);
    }

    /** Reasoning tokens count in {@code completion_tokens}, as OpenAI counts them, and in its details. */
    private static ObjectNode usage(final MockLlmRequest request, final int reasoningTokens) {
        final long completion = (long)request.outputTokens + reasoningTokens;
        final ObjectNode usage = JSON.createObjectNode().put("prompt_tokens", request.promptTokens)
            .put("completion_tokens", completion)
            .put("total_tokens", request.promptTokens + completion);
        if (reasoningTokens > 0) {
            usage.putObject("completion_tokens_details").put("reasoning_tokens", reasoningTokens);
        }
        return usage;
    }

    private static String finishReason(final MockLlmRequest request) {
        return request.cutByLength ? "length" : "stop";
    }

    /** @return tokens [from, to) of every reply's text: one word each. */
    static String text(final int from, final int to) {
        final StringBuilder sb = new StringBuilder((to - from) * 8);
        for (int i = from; i < to; i++) {
            sb.append(WORDS[i % WORDS.length]);
        }
        return sb.toString();
    }

    private static void event(final OutputStream out, final JsonNode data) throws IOException {
        out.write("data: ".getBytes(StandardCharsets.US_ASCII));
        out.write(JSON.writeValueAsBytes(data));
        out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** @return the body, or null if it is longer than allowed. */
    private byte[] readBody(final HttpExchange ex) throws IOException {
        final String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > config.maxBodyBytes()) {
                    return null;
                }
            } catch (final NumberFormatException e) {
                return null;
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            final byte[] body = in.readNBytes(config.maxBodyBytes() + 1);
            return body.length > config.maxBodyBytes() ? null : body;
        }
    }

    private String nextRequestId() {
        return "mock-" + Long.toHexString(requestIds.incrementAndGet());
    }

    static ObjectNode error(final String message, final String type, final String param, final String code) {
        final ObjectNode body = JSON.createObjectNode();
        final ObjectNode error = body.putObject("error").put("message", message).put("type", type);
        error.put("param", param);
        error.put("code", code);
        return body;
    }

    private void reply(final HttpExchange ex, final int status, final JsonNode body) throws IOException {
        final byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
