package dev.ringmeter.server.cli;

import dev.ringmeter.server.mockllm.Distribution;
import dev.ringmeter.server.mockllm.MockLlm;
import dev.ringmeter.server.mockllm.MockLlmConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
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
        "  ringmeter mock-llm --port 8081 --error-rate 0.1 --error-kind stream --stall-ms 500 --stall-after 8",
        "  ringmeter mock-llm --ttft-ms lognormal:200,0.3 --itl-ms normal:20,4 --concurrency-slope 0.05 \\",
        "      --model fast --model slow=ttft:400,itl:30,reasoning:32,chunk:4"})
final class MockLlmCommand implements Callable<Integer> {
    @Option(names = "--host", paramLabel = "HOST", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "PORT", description = "Port to bind; 0 picks a free one (default:"
        + " ${DEFAULT-VALUE}).")
    int port = 8081;

    @Option(names = "--ttft-ms", paramLabel = "DIST", description = "Time to the first chunk in ms: a number or"
        + " fixed:V, uniform:LO,HI, normal:MEAN,SD, lognormal:MEDIAN,SIGMA, exponential:MEAN; one draw per call"
        + " (default: ${DEFAULT-VALUE}).")
    String ttftMs = "50";

    @Option(names = "--itl-ms", paramLabel = "DIST", description = "Delay per output token after the first, in ms;"
        + " a distribution as for --ttft-ms, one draw per chunk (default: ${DEFAULT-VALUE}).")
    String itlMs = "10";

    @Option(names = "--output-tokens", paramLabel = "DIST", description = "Output length when the request does not"
        + " fix it (max_tokens caps it, min_tokens raises it, ignore_eos makes it max_tokens); a distribution, one"
        + " draw per call (default: ${DEFAULT-VALUE}).")
    String outputTokens = "16";

    @Option(names = "--reasoning-tokens", paramLabel = "DIST", description = "Reasoning tokens streamed as"
        + " delta.reasoning_content before the content of chat replies; a distribution (default: ${DEFAULT-VALUE}).")
    String reasoningTokens = "0";

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

    @Option(names = "--stall-rate", paramLabel = "P", description = "Share of streams that pause, 0 to 1 (default:"
        + " ${DEFAULT-VALUE}).")
    double stallRate = 1;

    @Option(names = "--concurrency-slope", paramLabel = "S", description = "Delays grow by this factor per call in"
        + " flight beyond the first: x (1 + S (n - 1)), so a concurrency sweep finds a knee (default:"
        + " ${DEFAULT-VALUE}).")
    double concurrencySlope;

    @Option(names = "--max-streams", paramLabel = "N", description = "Calls served at once; more are answered 429"
        + " (default: ${DEFAULT-VALUE}).")
    int maxStreams = 256;

    @Option(names = "--max-body-bytes", paramLabel = "N", description = "Largest request body; more is a 413"
        + " (default: ${DEFAULT-VALUE}).")
    int maxBodyBytes = 1 << 20;

    @Option(names = "--model", paramLabel = "NAME[=OVERRIDES]", description = "A model /v1/models lists, with how"
        + " it differs from the defaults, e.g. slow=ttft:400,itl:lognormal:30,0.2,output:64,reasoning:16,chunk:4;"
        + " repeatable (default: mock-llm).")
    List<String> models = List.of("mock-llm");

    @Override
    public Integer call() throws InterruptedException {
        final MockLlmConfig config;
        try {
            final MockLlmConfig.Builder b = MockLlmConfig.builder().ttft(Distribution.parse(ttftMs))
                .interToken(Distribution.parse(itlMs)).outputTokens(Distribution.parse(outputTokens))
                .reasoningTokens(Distribution.parse(reasoningTokens)).tokensPerChunk(tokensPerChunk)
                .errors(errorRate, MockLlmConfig.ErrorKind.parse(errorKind)).stall(millis(stallMs), stallAfter)
                .stallRate(stallRate).concurrencySlope(concurrencySlope)
                .maxConcurrentStreams(maxStreams).maxBodyBytes(maxBodyBytes);
            final List<String> names = new ArrayList<>();
            for (final String m : models) {
                final int eq = m.indexOf('=');
                final String name = eq < 0 ? m : m.substring(0, eq);
                names.add(name);
                if (eq >= 0) {
                    b.model(name, m.substring(eq + 1));
                }
            }
            config = b.models(names).build();
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
