package dev.ringmeter.core.privacy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which raw events the journal keeps: 1 in N of the events of each model (or, for events without a model such as
 * tool calls and pipeline steps, of each operation), with a default N for the rest, while the aggregates count every
 * event. An event whose status is not ok, or whose latency is at least {@link #slowMs()}, is always kept. N = 1
 * keeps every event (the default). An event with a model follows its model's {@code model:} entry, one without a
 * model its operation's {@code operation:} entry; either falls back to the default.
 * <p>
 * Written as a list of entries separated by commas: {@code N} (the default), {@code model:NAME=N},
 * {@code operation:NAME=N}, {@code slowMs=MS}; e.g. {@code 10,model:gpt-4o=100,slowMs=2000}.
 * <p>
 * Immutable; any thread.
 */
public final class Sampling {
    /** The largest N: one event in a million. */
    public static final int MAX_EVERY = 1_000_000;
    /** Keeps every event. */
    public static final Sampling NONE = new Sampling(1, Map.of(), Map.of(), 0);

    private final int defaultEvery;
    private final Map<String, Integer> byModel;
    private final Map<String, Integer> byOperation;
    private final long slowMs;

    /**
     * @param defaultEvery N for events no entry names.
     * @param byModel      N by model name.
     * @param byOperation  N by operation name.
     * @param slowMs       events at least this slow are always kept; 0 for no such rule.
     */
    public Sampling(final int defaultEvery, final Map<String, Integer> byModel, final Map<String, Integer> byOperation,
                    final long slowMs) {
        check("the default", defaultEvery);
        byModel.forEach((name, n) -> check("model " + name, n));
        byOperation.forEach((name, n) -> check("operation " + name, n));
        if (slowMs < 0) {
            throw new IllegalArgumentException("sampling slowMs must be >= 0 (0: no slow rule), not " + slowMs);
        }
        this.defaultEvery = defaultEvery;
        this.byModel = Collections.unmodifiableMap(new LinkedHashMap<>(byModel));
        this.byOperation = Collections.unmodifiableMap(new LinkedHashMap<>(byOperation));
        this.slowMs = slowMs;
    }

    private static void check(final String what, final int every) {
        if (every < 1 || every > MAX_EVERY) {
            throw new IllegalArgumentException("sampling rate of " + what + " must be 1 to " + MAX_EVERY
                + " (keep 1 in N events), not " + every);
        }
    }

    /**
     * @param spec entries separated by commas (see the class); null or blank for no sampling.
     * @return the sampling they describe.
     * @throws IllegalArgumentException naming the entry that is not understood.
     */
    public static Sampling parse(final String spec) {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        int every = 1;
        long slow = 0;
        final Map<String, Integer> models = new LinkedHashMap<>();
        final Map<String, Integer> operations = new LinkedHashMap<>();
        for (final String raw : spec.split(",")) {
            final String entry = raw.trim();
            final int eq = entry.lastIndexOf('=');
            try {
                if (eq < 0) {
                    every = Integer.parseInt(entry);
                } else if (entry.startsWith("model:") && eq > 6) {
                    models.put(entry.substring(6, eq), Integer.parseInt(entry.substring(eq + 1)));
                } else if (entry.startsWith("operation:") && eq > 10) {
                    operations.put(entry.substring(10, eq), Integer.parseInt(entry.substring(eq + 1)));
                } else if (entry.substring(0, eq).equals("slowMs")) {
                    slow = Long.parseLong(entry.substring(eq + 1));
                } else {
                    throw new NumberFormatException();
                }
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException("sampling entry '" + entry + "' is not N, model:NAME=N, "
                    + "operation:NAME=N or slowMs=MS");
            }
        }
        return new Sampling(every, models, operations, slow);
    }

    /** @return whether every event is kept whatever its model or operation. */
    public boolean keepsAll() {
        return defaultEvery == 1 && byModel.values().stream().allMatch(n -> n == 1)
            && byOperation.values().stream().allMatch(n -> n == 1);
    }

    /**
     * @param model     the event's model, or null.
     * @param operation the event's operation, or null; looked at only when it has no model.
     * @return N for the event: it is kept 1 in N (unless it is an error or slow).
     */
    public int everyFor(final String model, final String operation) {
        final Integer n = model != null ? byModel.get(model) : operation != null ? byOperation.get(operation) : null;
        return n != null ? n : defaultEvery;
    }

    /** @return N for events no entry names. */
    public int defaultEvery() {
        return defaultEvery;
    }

    /** @return N by model name. */
    public Map<String, Integer> byModel() {
        return byModel;
    }

    /** @return N by operation name. */
    public Map<String, Integer> byOperation() {
        return byOperation;
    }

    /** @return the latency, ms, from which an event is always kept; 0 for no such rule. */
    public long slowMs() {
        return slowMs;
    }

    /** @return the spec {@link #parse} reads back. */
    @Override
    public String toString() {
        final StringBuilder b = new StringBuilder().append(defaultEvery);
        byModel.forEach((k, v) -> b.append(",model:").append(k).append('=').append(v));
        byOperation.forEach((k, v) -> b.append(",operation:").append(k).append('=').append(v));
        if (slowMs > 0) {
            b.append(",slowMs=").append(slowMs);
        }
        return b.toString();
    }
}
