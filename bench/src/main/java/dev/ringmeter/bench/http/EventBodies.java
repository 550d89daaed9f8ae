package dev.ringmeter.bench.http;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Builds ingest bodies by hand (no JSON library): model calls over {@link #MODELS} models (or as many as given)
 * named {@code model-0}, {@code model-1} ..., with latency, time to first token, tokens and a 1 % error rate, the fields
 * a real caller sends.
 * <p>
 * Threading: an instance holds a random generator and a reused builder; use one per thread.
 */
final class EventBodies {
    /** The number of distinct models the bodies name by default. */
    static final int MODELS = 10;

    private final SplittableRandom random;
    private final int models;
    private final StringBuilder b = new StringBuilder(256);

    /**
     * @param seed of the random values.
     */
    EventBodies(final long seed) {
        this(seed, MODELS);
    }

    /**
     * @param seed   of the random values.
     * @param models how many distinct models the bodies name, at least 1.
     */
    EventBodies(final long seed, final int models) {
        this.random = new SplittableRandom(seed);
        this.models = models;
    }

    /**
     * @param model 0 to the number of models - 1.
     * @return a JSON array of one event without a timestamp (the server stamps it), in UTF-8.
     */
    byte[] singleEventArray(final int model) {
        b.setLength(0);
        b.append('[');
        event(model, 0);
        b.append(']');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param count        events in the body.
     * @param firstModel   the model of the first event; the next ones take the following models in turn.
     * @param timestampMs  the timestamp of the first event (epoch ms), or 0 to let the server stamp them.
     * @param stepMsTimes1000 how far apart the events' timestamps are, in thousandths of a millisecond.
     * @return an NDJSON body (one event per line) in UTF-8.
     */
    byte[] ndjson(final int count, final int firstModel, final long timestampMs, final long stepMsTimes1000) {
        final StringBuilder out = new StringBuilder(count * 200);
        for (int i = 0; i < count; i++) {
            b.setLength(0);
            event((firstModel + i) % models, timestampMs == 0 ? 0 : timestampMs + i * stepMsTimes1000 / 1000);
            out.append(b).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void event(final int model, final long timestampMs) {
        final boolean failed = random.nextInt(100) == 0;
        b.append("{\"model\":\"model-").append(model).append('"');
        if (timestampMs != 0) {
            b.append(",\"timestamp\":").append(timestampMs);
        }
        b.append(",\"operation\":\"chat\",\"latencyMs\":").append(random.nextInt(50, 5_000)).append('.')
            .append(random.nextInt(10))
            .append(",\"ttftMs\":").append(random.nextInt(20, 800))
            .append(",\"promptTokens\":").append(random.nextInt(100, 4_000))
            .append(",\"completionTokens\":").append(random.nextInt(10, 1_000))
            .append(",\"status\":\"").append(failed ? "error" : "ok").append('"');
        if (failed) {
            b.append(",\"errorType\":\"rate_limit\"");
        }
        b.append(",\"pipeline\":\"support-bot\",\"step\":\"answer\"}");
    }
}
