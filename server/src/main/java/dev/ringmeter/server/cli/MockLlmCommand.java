package dev.ringmeter.server.cli;

import dev.ringmeter.server.mockllm.MockLlm;
import dev.ringmeter.server.mockllm.MockLlmConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ringmeter mock-llm}: runs {@link MockLlm}, an OpenAI-compatible stand-in endpoint with the given delays,
 * lengths and errors, until the process is stopped (Ctrl-C or a signal).
 * <p>
 * Threading: one call on the main thread, which waits while the server's threads answer.
 */
@Command(name = "mock-llm", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run an OpenAI-compatible stand-in endpoint (/v1/chat/completions, /v1/completions, /v1/models)"
        + " with known delays, output lengths and errors.",
    footer = {"", "Examples:", "  ringmeter mock-llm --port 8081 --ttft-ms 200 --itl-ms 20 --output-tokens 64",
        "  ringmeter mock-llm --port 8081 --error-rate 0.1 --error-kind stream --stall-ms 500 --stall-after 8"})
final class MockLlmCommand implements Callable<Integer> {
    @Option(names = "--host", paramLabel = "HOST", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "PORT", description = "Port to bind; 0 picks a free one (default:"
        + " ${DEFAULT-VALUE}).")
    int port = 8081;

    @Option(names = "--ttft-ms", paramLabel = "MS", description = "Time to the first chunk (default: ${DEFAULT-VALUE}).")
    double ttftMs = 50;

    @Option(names = "--itl-ms", paramLabel = "MS", description = "Delay per output token after the first"
        + " (default: ${DEFAULT-VALUE}).")
    double itlMs = 10;

    @Option(names = "--output-tokens", paramLabel = "N", description = "Output length when the request does not"
        + " fix it (max_tokens caps it, min_tokens raises it, ignore_eos makes it max_tokens; default:"
        + " ${DEFAULT-VALUE}).")
    int outputTokens = 16;

    @Option(names = "--tokens-per-chunk", paramLabel = "N", description = "Tokens in each streamed chunk (default:"
        + " ${DEFAULT-VALUE}).")
    int tokensPerChunk = 1;

    @Option(names = "--error-rate", paramLabel = "P", description = "Share of calls that fail, 0 to 1 (default:"
        + " ${DEFAULT-VALUE}).")
    double errorRate;

    @Option(names = "--error-kind", paramLabel = "KIND", description = "How they fail: 500, 429, or stream (an error"
        + " event half-way through a stream; default: ${DEFAULT-VALUE}).")
    String errorKind = "500";

    @Option(names = "--stall-ms", paramLabel = "MS", description = "A pause once in each stream (default:"
        + " ${DEFAULT-VALUE}).")
    double stallMs;

    @Option(names = "--stall-after", paramLabel = "N", description = "Tokens before the pause (default:"
        + " ${DEFAULT-VALUE}).")
    int stallAfter;

    @Option(names = "--max-streams", paramLabel = "N", description = "Calls served at once; more are answered 429"
        + " (default: ${DEFAULT-VALUE}).")
    int maxStreams = 256;

    @Option(names = "--max-body-bytes", paramLabel = "N", description = "Largest request body; more is a 413"
        + " (default: ${DEFAULT-VALUE}).")
    int maxBodyBytes = 1 << 20;

    @Option(names = "--model", paramLabel = "NAME", description = "A model /v1/models lists; repeatable (default:"
        + " mock-llm).")
    List<String> models = List.of("mock-llm");

    @Override
    public Integer call() throws InterruptedException {
        final MockLlmConfig config;
        try {
            config = MockLlmConfig.builder().ttft(millis(ttftMs)).interToken(millis(itlMs))
                .defaultOutputTokens(outputTokens).tokensPerChunk(tokensPerChunk)
                .errors(errorRate, MockLlmConfig.ErrorKind.parse(errorKind)).stall(millis(stallMs), stallAfter)
                .maxConcurrentStreams(maxStreams).maxBodyBytes(maxBodyBytes).models(models).build();
        } catch (final IllegalArgumentException e) {
            throw new CliException(RingmeterCommand.EXIT_USAGE, e.getMessage());
        }
        final MockLlm mock;
        try {
            mock = MockLlm.start(config, host, port);
        } catch (final IOException e) {
            throw new CliException(RingmeterCommand.EXIT_FAILED, "cannot listen on " + host + ":" + port + ": "
                + e.getMessage());
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            mock.close();
            stopped.countDown();
        }, "mock-llm-stop"));
        System.out.println("mock-llm listening on " + mock.baseUrl() + " (Ctrl-C stops it)");
        System.out.flush();
        stopped.await();
        return RingmeterCommand.EXIT_OK;
    }

    private static Duration millis(final double ms) {
        if (!(ms >= 0) || ms > 3_600_000) {
            throw new IllegalArgumentException("a delay must be between 0 and 3600000 ms but was " + ms);
        }
        return Duration.ofNanos(Math.round(ms * 1_000_000));
    }
}
