package dev.ringmeter.wire;

import java.util.List;

/**
 * The field names of the HTTP API's bodies, spelled once: the client's NDJSON writer, the server's readers and
 * writers and the names carried by {@link dev.ringmeter.InvalidEventException} all use these, so that a field
 * renamed here is renamed everywhere. Status names are spelled by {@link dev.ringmeter.Status#wireName()}.
 * <p>
 * Threading: constants only.
 */
public final class FieldNames {
    /** Event or sample time: an ISO-8601 string or epoch milliseconds. */
    public static final String TIMESTAMP = "timestamp";
    public static final String MODEL = "model";
    public static final String OPERATION = "operation";
    public static final String LATENCY_MS = "latencyMs";
    public static final String TTFT_MS = "ttftMs";
    public static final String QUEUE_WAIT_MS = "queueWaitMs";
    public static final String PROMPT_TOKENS = "promptTokens";
    public static final String COMPLETION_TOKENS = "completionTokens";
    /** Prompt tokens read from the provider's prompt cache: counted inside {@link #PROMPT_TOKENS}. */
    public static final String CACHED_TOKENS = "cachedTokens";
    /** Prompt tokens written to the provider's prompt cache: counted inside {@link #PROMPT_TOKENS}. */
    public static final String CACHE_WRITE_TOKENS = "cacheWriteTokens";
    /** Completion tokens spent on reasoning: counted inside {@link #COMPLETION_TOKENS}. */
    public static final String REASONING_TOKENS = "reasoningTokens";
    public static final String STATUS = "status";
    public static final String ERROR_TYPE = "errorType";
    public static final String RETRIES = "retries";
    public static final String CACHE_HIT = "cacheHit";
    public static final String MEMORY_BYTES = "memoryBytes";
    public static final String CPU_MS = "cpuMs";
    public static final String COST_USD = "costUsd";
    /** An object of quality score name to number. */
    public static final String QUALITY = "quality";
    public static final String PIPELINE = "pipeline";
    public static final String STEP = "step";
    public static final String RUN = "run";
    public static final String TASK = "task";
    public static final String CONFIG = "config";
    /** The provider serving the model: the OpenTelemetry GenAI {@code gen_ai.provider.name} values. */
    public static final String PROVIDER = "provider";
    /** The tool an event calls ({@code gen_ai.tool.name}). */
    public static final String TOOL = "tool";
    /** The agent an event belongs to ({@code gen_ai.agent.name}). */
    public static final String AGENT = "agent";
    /** An object of tag key to string value, on events and metric samples. */
    public static final String TAGS = "tags";

    /** Name of a custom metric sample. */
    public static final String NAME = "name";
    /** Value of a custom metric sample. */
    public static final String VALUE = "value";
    /** Observations a custom metric sample stands for (1 when absent). */
    public static final String COUNT = "count";

    /** A price: USD per million prompt tokens. */
    public static final String INPUT_USD_PER_MILLION = "inputUsdPerMillion";
    /** A price: USD per million completion tokens. */
    public static final String OUTPUT_USD_PER_MILLION = "outputUsdPerMillion";

    /** Every field of an event, in the order the client writes them. */
    public static final List<String> EVENT = List.of(TIMESTAMP, MODEL, OPERATION, LATENCY_MS, TTFT_MS, QUEUE_WAIT_MS,
        PROMPT_TOKENS, COMPLETION_TOKENS, CACHED_TOKENS, CACHE_WRITE_TOKENS, REASONING_TOKENS, STATUS, ERROR_TYPE,
        RETRIES, CACHE_HIT, MEMORY_BYTES, CPU_MS, COST_USD, QUALITY, PIPELINE, STEP, RUN, TASK, CONFIG, PROVIDER, TOOL,
        AGENT, TAGS);

    /** Every field of a custom metric sample, in the order the client writes them. */
    public static final List<String> SAMPLE = List.of(NAME, VALUE, COUNT, TIMESTAMP, TAGS);

    /** Every field of a price. */
    public static final List<String> PRICE = List.of(INPUT_USD_PER_MILLION, OUTPUT_USD_PER_MILLION);

    private FieldNames() {
    }

    /**
     * @param object name of an object field ({@link #QUALITY} or {@link #TAGS}).
     * @param key    a key inside it.
     * @return the name that refusals give a value inside the object, e.g. {@code tags.region}.
     */
    public static String member(final String object, final String key) {
        return object + '.' + key;
    }
}
