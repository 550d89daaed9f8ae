package dev.ringmeter;

import dev.ringmeter.wire.FieldNames;

import java.util.concurrent.TimeUnit;

/**
 * One model call, pipeline step or task: a mutable, reusable value that a caller fills and hands to
 * {@link EventRecorder#record(Event)}, which copies it. Reusing one instance per thread (call {@link #reset()}
 * between events) makes recording allocation-free.
 * <p>
 * A latency is required, and {@link #model(String)} for a model call ({@link Operations}: an event with no operation,
 * or a chat, completion, generate_content or embeddings one); a tool call, agent step, pipeline step or task names its
 * operation and need not name a model. Every setter checks its argument at once and throws an
 * {@link InvalidEventException} naming the field (negative latency, NaN, tokens &lt; 0, ...).
 * <p>
 * Threading: not thread-safe; one instance belongs to one thread at a time.
 */
public final class Event implements Tagged {
    /** Marks an optional numeric field as absent. */
    public static final long NONE = Long.MIN_VALUE;
    /** The most free tags one event carries. */
    public static final int MAX_TAGS = 4;
    /** The most named quality scores one event carries. */
    public static final int MAX_QUALITY = 4;
    /**
     * The longest duration an event carries (latency, time to first token, queue wait): one day. The store's
     * histograms grow to what they are given, so a duration past any real call's would cost memory and push every
     * percentile of its window to nonsense.
     */
    public static final long MAX_DURATION_NS = TimeUnit.DAYS.toNanos(1);
    /** The most CPU time an event carries: 1,000 days (a day on 1,000 cores). */
    public static final long MAX_CPU_NS = TimeUnit.DAYS.toNanos(1_000);
    /** The most tokens an event carries in each direction: what an {@code int} holds. */
    public static final long MAX_TOKENS = Integer.MAX_VALUE;
    /** The most memory an event carries: 1 PiB. */
    public static final long MAX_MEMORY_BYTES = 1L << 50;

    private long timestampMs;
    private String model;
    private String operation;
    private String pipeline;
    private String step;
    private String run;
    private String task;
    private String config;
    private String errorType;
    private String provider;
    private String tool;
    private String agent;
    private long latencyNs = NONE;
    private long ttftNs = NONE;
    private long queueWaitNs = NONE;
    private long promptTokens = NONE;
    private long completionTokens = NONE;
    private long cachedTokens = NONE;
    private long cacheWriteTokens = NONE;
    private long reasoningTokens = NONE;
    private Status status = Status.OK;
    private int retries;
    private CacheResult cache = CacheResult.UNKNOWN;
    private long memoryBytes = NONE;
    private long cpuNs = NONE;
    private double costUsd = Double.NaN;
    private final String[] qualityNames = new String[MAX_QUALITY];
    private final double[] qualityValues = new double[MAX_QUALITY];
    private int qualityCount;
    private final Tags tags = new Tags();

    /**
     * Clears every field back to absent, so the instance can carry the next event.
     *
     * @return this.
     */
    public Event reset() {
        timestampMs = 0;
        model = null;
        operation = null;
        pipeline = null;
        step = null;
        run = null;
        task = null;
        config = null;
        errorType = null;
        provider = null;
        tool = null;
        agent = null;
        latencyNs = NONE;
        ttftNs = NONE;
        queueWaitNs = NONE;
        promptTokens = NONE;
        completionTokens = NONE;
        cachedTokens = NONE;
        cacheWriteTokens = NONE;
        reasoningTokens = NONE;
        status = Status.OK;
        retries = 0;
        cache = CacheResult.UNKNOWN;
        memoryBytes = NONE;
        cpuNs = NONE;
        costUsd = Double.NaN;
        for (int i = 0; i < MAX_QUALITY; i++) {
            qualityNames[i] = null;
        }
        qualityCount = 0;
        tags.clear();
        return this;
    }

    /**
     * @param timestampMs when the call started, in milliseconds since the epoch; 0 means "when recorded".
     * @return this.
     */
    public Event timestampMs(final long timestampMs) {
        this.timestampMs = checkedTimestampMs(timestampMs);
        return this;
    }

    /**
     * @param model name, e.g. {@code gpt-4o}; required for a model call ({@link Operations}).
     * @return this.
     */
    public Event model(final String model) {
        this.model = model;
        return this;
    }

    /**
     * @param operation kind, as OpenTelemetry's {@code gen_ai.operation.name}: chat, text_completion, embeddings,
     *                  execute_tool, invoke_agent, pipeline_step, task, ...; none means a model call
     *                  ({@link Operations}).
     * @return this.
     */
    public Event operation(final String operation) {
        this.operation = operation;
        return this;
    }

    /**
     * @param pipeline the pipeline this call belongs to.
     * @return this.
     */
    public Event pipeline(final String pipeline) {
        this.pipeline = pipeline;
        return this;
    }

    /**
     * @param step the pipeline step.
     * @return this.
     */
    public Event step(final String step) {
        this.step = step;
        return this;
    }

    /**
     * @param run identifier of the run.
     * @return this.
     */
    public Event run(final String run) {
        this.run = run;
        return this;
    }

    /**
     * @param task identifier of the task.
     * @return this.
     */
    public Event task(final String task) {
        this.task = task;
        return this;
    }

    /**
     * @param config configuration label, e.g. {@code temperature=0.2,prompt=v3}.
     * @return this.
     */
    public Event config(final String config) {
        this.config = config;
        return this;
    }

    /**
     * @param errorType category of the failure, e.g. {@code rate_limit}; implies nothing about {@link #status}.
     * @return this.
     */
    public Event errorType(final String errorType) {
        this.errorType = errorType;
        return this;
    }

    /**
     * @param provider the provider serving the model, e.g. {@code openai}, {@code anthropic}, {@code aws.bedrock}
     *                 (the OpenTelemetry GenAI {@code gen_ai.provider.name} values).
     * @return this.
     */
    public Event provider(final String provider) {
        this.provider = provider;
        return this;
    }

    /**
     * @param tool the tool the event calls, e.g. {@code web_search} ({@code gen_ai.tool.name}).
     * @return this.
     */
    public Event tool(final String tool) {
        this.tool = tool;
        return this;
    }

    /**
     * @param agent the agent the event belongs to, e.g. {@code planner} ({@code gen_ai.agent.name}).
     * @return this.
     */
    public Event agent(final String agent) {
        this.agent = agent;
        return this;
    }

    /**
     * @param latencyNs end-to-end duration in nanoseconds, 0 to {@link #MAX_DURATION_NS}.
     * @return this.
     */
    public Event latencyNs(final long latencyNs) {
        this.latencyNs = nanos(FieldNames.LATENCY_MS, latencyNs, MAX_DURATION_NS);
        return this;
    }

    /**
     * @param latency end-to-end duration, 0 to {@link #MAX_DURATION_NS}.
     * @param unit    of the duration.
     * @return this.
     */
    public Event latency(final long latency, final TimeUnit unit) {
        return latencyNs(unit.toNanos(latency));   // toNanos saturates: a huge value stays refused
    }

    /**
     * @param latencyMs end-to-end duration in milliseconds, 0 to {@link #MAX_DURATION_NS} (one day).
     * @return this.
     */
    public Event latencyMs(final double latencyMs) {
        this.latencyNs = msToNs(FieldNames.LATENCY_MS, latencyMs, MAX_DURATION_NS);
        return this;
    }

    /**
     * @param ttftNs time to first token in nanoseconds, 0 to {@link #MAX_DURATION_NS}.
     * @return this.
     */
    public Event ttftNs(final long ttftNs) {
        this.ttftNs = nanos(FieldNames.TTFT_MS, ttftNs, MAX_DURATION_NS);
        return this;
    }

    /**
     * @param ttftMs time to first token in milliseconds, 0 to {@link #MAX_DURATION_NS} (one day).
     * @return this.
     */
    public Event ttftMs(final double ttftMs) {
        this.ttftNs = msToNs(FieldNames.TTFT_MS, ttftMs, MAX_DURATION_NS);
        return this;
    }

    /**
     * @param queueWaitNs time spent queued before the call started, in nanoseconds, 0 to {@link #MAX_DURATION_NS}.
     * @return this.
     */
    public Event queueWaitNs(final long queueWaitNs) {
        this.queueWaitNs = nanos(FieldNames.QUEUE_WAIT_MS, queueWaitNs, MAX_DURATION_NS);
        return this;
    }

    /**
     * @param queueWaitMs time spent queued, in milliseconds, 0 to {@link #MAX_DURATION_NS} (one day).
     * @return this.
     */
    public Event queueWaitMs(final double queueWaitMs) {
        this.queueWaitNs = msToNs(FieldNames.QUEUE_WAIT_MS, queueWaitMs, MAX_DURATION_NS);
        return this;
    }

    /**
     * @param promptTokens input tokens, 0 to {@link #MAX_TOKENS}.
     * @return this.
     */
    public Event promptTokens(final long promptTokens) {
        this.promptTokens = atMost(FieldNames.PROMPT_TOKENS, promptTokens, MAX_TOKENS);
        return this;
    }

    /**
     * @param completionTokens output tokens, 0 to {@link #MAX_TOKENS}.
     * @return this.
     */
    public Event completionTokens(final long completionTokens) {
        this.completionTokens = atMost(FieldNames.COMPLETION_TOKENS, completionTokens, MAX_TOKENS);
        return this;
    }

    /**
     * @param cachedTokens prompt tokens read from the provider's prompt cache, 0 to {@link #MAX_TOKENS}. They are
     *                     counted inside {@link #promptTokens(long)} (as OpenAI reports them); for a provider that
     *                     reports them apart (Anthropic's {@code cache_read_input_tokens}), add them to the prompt
     *                     tokens too.
     * @return this.
     */
    public Event cachedTokens(final long cachedTokens) {
        this.cachedTokens = atMost(FieldNames.CACHED_TOKENS, cachedTokens, MAX_TOKENS);
        return this;
    }

    /**
     * @param cacheWriteTokens prompt tokens written to the provider's prompt cache, 0 to {@link #MAX_TOKENS}; counted
     *                         inside {@link #promptTokens(long)} like {@link #cachedTokens(long)} (Anthropic's
     *                         {@code cache_creation_input_tokens}: add them to the prompt tokens).
     * @return this.
     */
    public Event cacheWriteTokens(final long cacheWriteTokens) {
        this.cacheWriteTokens = atMost(FieldNames.CACHE_WRITE_TOKENS, cacheWriteTokens, MAX_TOKENS);
        return this;
    }

    /**
     * @param reasoningTokens completion tokens spent on reasoning, 0 to {@link #MAX_TOKENS}; counted inside
     *                        {@link #completionTokens(long)}, as OpenAI and the OpenTelemetry GenAI conventions do.
     * @return this.
     */
    public Event reasoningTokens(final long reasoningTokens) {
        this.reasoningTokens = atMost(FieldNames.REASONING_TOKENS, reasoningTokens, MAX_TOKENS);
        return this;
    }

    /**
     * @param status how the call ended; {@link Status#OK} by default.
     * @return this.
     */
    public Event status(final Status status) {
        if (status == null) {
            throw new InvalidEventException(FieldNames.STATUS, "must not be null");
        }
        this.status = status;
        return this;
    }

    /**
     * @param retries how many times the call was retried, &gt;= 0.
     * @return this.
     */
    public Event retries(final int retries) {
        if (retries < 0) {
            throw new InvalidEventException(FieldNames.RETRIES, "must be >= 0 but was " + retries);
        }
        this.retries = retries;
        return this;
    }

    /**
     * @param cache whether a cache served the call.
     * @return this.
     */
    public Event cache(final CacheResult cache) {
        if (cache == null) {
            throw new InvalidEventException(FieldNames.CACHE_HIT, "must not be null");
        }
        this.cache = cache;
        return this;
    }

    /**
     * @param memoryBytes memory used by the call or step, 0 to {@link #MAX_MEMORY_BYTES}.
     * @return this.
     */
    public Event memoryBytes(final long memoryBytes) {
        this.memoryBytes = atMost(FieldNames.MEMORY_BYTES, memoryBytes, MAX_MEMORY_BYTES);
        return this;
    }

    /**
     * @param cpuNs CPU time spent, in nanoseconds, 0 to {@link #MAX_CPU_NS}.
     * @return this.
     */
    public Event cpuNs(final long cpuNs) {
        this.cpuNs = nanos(FieldNames.CPU_MS, cpuNs, MAX_CPU_NS);
        return this;
    }

    /**
     * @param cpuMs CPU time spent, in milliseconds, 0 to {@link #MAX_CPU_NS} (1,000 days).
     * @return this.
     */
    public Event cpuMs(final double cpuMs) {
        this.cpuNs = msToNs(FieldNames.CPU_MS, cpuMs, MAX_CPU_NS);
        return this;
    }

    /**
     * @param costUsd what the call cost, if the caller knows; otherwise the store prices it from its price table.
     * @return this.
     */
    public Event costUsd(final double costUsd) {
        if (!(costUsd >= 0) || Double.isInfinite(costUsd)) {
            throw new InvalidEventException(FieldNames.COST_USD,
                "must be a finite number >= 0 but was " + costUsd);
        }
        this.costUsd = costUsd;
        return this;
    }

    /**
     * Adds a named quality score (precision, recall, f1, accuracy, compliance, ...).
     *
     * @param name  of the score.
     * @param value of the score, finite.
     * @return this.
     */
    public Event quality(final String name, final double value) {
        if (name == null || name.isEmpty()) {
            throw new InvalidEventException(FieldNames.QUALITY, "names must not be empty");
        }
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new InvalidEventException(FieldNames.member(FieldNames.QUALITY, name),
                "must be a finite number but was " + value);
        }
        if (qualityCount == MAX_QUALITY) {
            throw new InvalidEventException(FieldNames.QUALITY, "holds at most " + MAX_QUALITY + " scores");
        }
        qualityNames[qualityCount] = name;
        qualityValues[qualityCount++] = value;
        return this;
    }

    /**
     * Adds a free tag.
     *
     * @param key   of the tag.
     * @param value of the tag.
     * @return this.
     */
    @Override
    public Event tag(final String key, final String value) {
        tags.add(key, value);
        return this;
    }

    /**
     * Checks the fields that every event must have.
     *
     * @throws InvalidEventException naming the first missing field.
     */
    public void validate() {
        if ((model == null || model.isEmpty()) && Operations.isModelCall(operation)) {
            throw new InvalidEventException(FieldNames.MODEL, Operations.modelRequired(operation));
        }
        if (latencyNs == NONE) {
            throw new InvalidEventException(FieldNames.LATENCY_MS, "is required");
        }
        within(FieldNames.CACHED_TOKENS, cachedTokens, cacheWriteTokens, promptTokens, FieldNames.PROMPT_TOKENS);
        within(FieldNames.REASONING_TOKENS, reasoningTokens, NONE, completionTokens, FieldNames.COMPLETION_TOKENS);
    }

    /** The rule that the parts of a token count (cached and cache-write, reasoning) fit inside it. */
    private static void within(final String field, final long part, final long otherPart, final long whole,
                               final String wholeField) {
        final long parts = (part == NONE ? 0 : part) + (otherPart == NONE ? 0 : otherPart);
        if (whole != NONE && parts > whole) {
            throw new InvalidEventException(field, (otherPart == NONE ? "is" : "with " + FieldNames.CACHE_WRITE_TOKENS
                + " is") + " counted inside " + wholeField + " (" + whole + ") but comes to " + parts);
        }
    }

    public long timestampMs() {
        return timestampMs;
    }

    public String model() {
        return model;
    }

    public String operation() {
        return operation;
    }

    public String pipeline() {
        return pipeline;
    }

    public String step() {
        return step;
    }

    public String run() {
        return run;
    }

    public String task() {
        return task;
    }

    public String config() {
        return config;
    }

    public String errorType() {
        return errorType;
    }

    public String provider() {
        return provider;
    }

    public String tool() {
        return tool;
    }

    public String agent() {
        return agent;
    }

    /** @return latency in nanoseconds, or {@link #NONE}. */
    public long latencyNs() {
        return latencyNs;
    }

    /** @return time to first token in nanoseconds, or {@link #NONE}. */
    public long ttftNs() {
        return ttftNs;
    }

    /** @return queue wait in nanoseconds, or {@link #NONE}. */
    public long queueWaitNs() {
        return queueWaitNs;
    }

    /** @return prompt tokens, or {@link #NONE}. */
    public long promptTokens() {
        return promptTokens;
    }

    /** @return completion tokens, or {@link #NONE}. */
    public long completionTokens() {
        return completionTokens;
    }

    /** @return prompt tokens read from the cache, or {@link #NONE}. */
    public long cachedTokens() {
        return cachedTokens;
    }

    /** @return prompt tokens written to the cache, or {@link #NONE}. */
    public long cacheWriteTokens() {
        return cacheWriteTokens;
    }

    /** @return completion tokens spent on reasoning, or {@link #NONE}. */
    public long reasoningTokens() {
        return reasoningTokens;
    }

    public Status status() {
        return status;
    }

    public int retries() {
        return retries;
    }

    public CacheResult cache() {
        return cache;
    }

    /** @return memory in bytes, or {@link #NONE}. */
    public long memoryBytes() {
        return memoryBytes;
    }

    /** @return CPU time in nanoseconds, or {@link #NONE}. */
    public long cpuNs() {
        return cpuNs;
    }

    /** @return cost in USD, or NaN when the caller did not give one. */
    public double costUsd() {
        return costUsd;
    }

    public int qualityCount() {
        return qualityCount;
    }

    public String qualityName(final int index) {
        return qualityNames[index];
    }

    public double qualityValue(final int index) {
        return qualityValues[index];
    }

    @Override
    public int tagCount() {
        return tags.count();
    }

    @Override
    public String tagKey(final int index) {
        return tags.key(index);
    }

    @Override
    public String tagValue(final int index) {
        return tags.value(index);
    }

    /**
     * The rule for the time of an event or a metric sample.
     *
     * @param timestampMs milliseconds since the epoch, or 0 for "when recorded".
     * @return timestampMs.
     * @throws InvalidEventException if it is negative.
     */
    static long checkedTimestampMs(final long timestampMs) {
        if (timestampMs < 0) {
            throw new InvalidEventException(FieldNames.TIMESTAMP,
                "must be >= 0 ms since the epoch but was " + timestampMs);
        }
        return timestampMs;
    }

    /** A whole value in [0, max]. */
    private static long atMost(final String field, final long value, final long max) {
        if (value < 0 || value > max) {
            throw new InvalidEventException(field, "must be 0 to " + max + " but was " + value);
        }
        return value;
    }

    /** A duration in nanoseconds in [0, maxNs], refused in the milliseconds its wire field is named in. */
    private static long nanos(final String field, final long ns, final long maxNs) {
        if (ns < 0 || ns > maxNs) {
            throw new InvalidEventException(field, "must be 0 to " + maxNs / 1_000_000 + " ms but was " + ns + " ns");
        }
        return ns;
    }

    /** A duration in milliseconds in [0, maxNs / 10^6], finite, in nanoseconds. */
    private static long msToNs(final String field, final double ms, final long maxNs) {
        if (!(ms >= 0 && ms <= maxNs / 1_000_000.0)) {
            throw new InvalidEventException(field, "must be a number from 0 to " + maxNs / 1_000_000 + " ms but was "
                + ms);
        }
        return Math.round(ms * 1_000_000.0);
    }

    @Override
    public String toString() {
        return "Event{model=" + model + ", operation=" + operation + ", timestampMs=" + timestampMs
            + ", latencyNs=" + latencyNs + ", status=" + status + '}';
    }
}
