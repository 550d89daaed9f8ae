package dev.ringmeter.core.ingest;

import dev.ringmeter.Event;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.query.Metric;

/**
 * One pre-allocated, mutable slot of the ingestion ring: an event or a metric sample with its strings already
 * turned into dictionary ids. Optional numbers hold {@link Event#NONE} (or NaN for doubles) when absent.
 * <p>
 * Threading: filled by exactly one producer between claim and publish ({@link RingPublisher}), then handed to the
 * consumer handlers one after the other: the journal handler stamps an undated slot's time, sets an event's
 * effective cost and the slot's journal position, and the aggregate handler (which stamps the time when no journal
 * handler did) reads it. The ring's sequence barriers give the happens-before edges from each to the next; the
 * producer that claims the slot again once every consumer passed it sees their writes too.
 */
public final class EventSlot {
    /** The slot was claimed but its fill failed; consumers skip it. */
    public static final byte KIND_VOID = 0;
    /** The slot holds an {@link Event}. */
    public static final byte KIND_EVENT = 1;
    /** The slot holds a {@link MetricSample}. */
    public static final byte KIND_METRIC = 2;
    /** The slot sets the price of a model: {@link #model}, {@link #priceInputUsdPerMillion}, ... */
    public static final byte KIND_PRICE = 3;
    /** The slot creates, updates or finishes a run: {@link #runCommand}. */
    public static final byte KIND_RUN = 6;
    /** The slot changes the price entries: {@link #priceChange} (journaled as PRICE_ENTRY). */
    public static final byte KIND_PRICE_ENTRY = 7;
    /** The slot asks for a recompute of costs: {@link #recompute} (journaled as RECOMPUTE). */
    public static final byte KIND_RECOMPUTE = 8;
    /**
     * The slot changes the cost counted for one journaled event (in memory only, never journaled): the event's
     * time and ids as recorded, {@link #costUsd} the difference to add and {@link #costCountDelta} +1 if the event
     * became priced, -1 if it no longer is, 0 otherwise.
     */
    public static final byte KIND_COST_CHANGE = 9;
    /** The slot starts or ends an anomaly: {@link #anomaly} (journaled as ANOMALY). */
    public static final byte KIND_ANOMALY = 11;
    /** The slot changes the alert state: {@link #alertCommand}, encoded in {@link #alertBytes} (journaled as ALERT). */
    public static final byte KIND_ALERT = 10;
    // kind 12 is a journal record only: an event kept 1 in N by sampling (JournalDescriptor.KIND_SAMPLED), read
    // back as KIND_EVENT with its weight
    // kind 13 is a journal record only: a metric sample of a count above 1 (JournalDescriptor.KIND_WEIGHTED_METRIC),
    // read back as KIND_METRIC with its metricCount

    public byte kind;
    /** Index of the journal document holding the slot, set by the journal handler; -1 without a journal. */
    public long journalIndex = -1;
    /** Journal readers only: the version of the record the slot was read from. */
    public byte recordVersion;
    /** Whether the journal handler closed a document at this slot: every slot up to it is journaled. */
    public boolean endsDocument;
    public long timestampMs;
    public int model;
    public int operation;
    public int pipeline;
    public int step;
    public int run;
    public int task;
    public int config;
    public int errorType;
    public int provider;
    public int tool;
    public int agent;
    public long latencyNs;
    public long ttftNs;
    public long queueWaitNs;
    public long promptTokens;
    public long completionTokens;
    /** Prompt tokens read from and written to the provider's cache, and completion tokens spent reasoning. */
    public long cachedTokens;
    public long cacheWriteTokens;
    public long reasoningTokens;
    public byte status;
    public byte cache;
    public int retries;
    /**
     * Set by the journal handler for an event (sampling, docs/privacy.md): 0 if the journal left it out, else the
     * events it stands for in the journal (1, or the N of its sampling rule); read back from a journal record, 1 for
     * a record of kind 1 and N for one of kind 12. The aggregates count every event once whatever its weight.
     */
    public int weight = 1;
    public long memoryBytes;
    public long cpuNs;
    public double costUsd;
    /** Whether the store priced the event (its cost is not the caller's), journaled with it. */
    public boolean costPriced;
    /** Cost changes: +1 if the event became priced, -1 if it no longer is, else 0. */
    public int costCountDelta;
    /** Price entry changes: the change. */
    public dev.ringmeter.core.cost.PriceChange priceChange;
    /** Recomputes: the request. */
    public dev.ringmeter.core.cost.RecomputeRequest recompute;
    public int qualityCount;
    public final int[] qualityNames = new int[Event.MAX_QUALITY];
    public final double[] qualityValues = new double[Event.MAX_QUALITY];
    public int tagCount;
    public final int[] tagKeys = new int[Event.MAX_TAGS];
    public final int[] tagValues = new int[Event.MAX_TAGS];
    /** Metric samples: the metric's name id (the dimension {@link Dimension#METRIC_NAME}) and value. */
    public int metricName;
    public double metricValue;
    /** Metric samples: the observations of {@link #metricValue} the sample stands for, 1 to {@code MAX_COUNT}. */
    public long metricCount = 1;
    /** Price changes: USD per million input and output tokens of {@link #model}. */
    public double priceInputUsdPerMillion;
    public double priceOutputUsdPerMillion;
    /** Run commands: the command, immutable; the aggregate writer clears it once applied. */
    public dev.ringmeter.core.run.RunCommand runCommand;
    /** Anomalies: its start or end, immutable; the aggregate writer clears it once applied. */
    public dev.ringmeter.core.watch.Anomaly anomaly;
    /** Alert commands: the command, immutable; the aggregate writer clears it once applied. */
    public dev.ringmeter.core.watch.alert.AlertCommand alertCommand;
    /** Alert commands: the command's encoding, the ALERT record's body ({@code AlertCodec}); set by the publisher. */
    public byte[] alertBytes;

    /**
     * Copies an event, turning its strings into ids. On an exception the slot is left as {@link #KIND_VOID}.
     *
     * @param event      to copy; already validated.
     * @param dictionary to resolve strings through.
     */
    public void fill(final Event event, final Dictionary dictionary) {
        fill(event, dictionary, dev.ringmeter.core.privacy.Anonymizer.NONE);
    }

    /**
     * Copies an event, turning its strings into ids. On an exception the slot is left as {@link #KIND_VOID}.
     *
     * @param event      to copy; already validated.
     * @param dictionary to resolve strings through.
     * @param privacy    hashes, drops or redacts the strings first (the run, task, configuration, error type and
     *                   tag values), so only what it returns reaches the dictionary.
     */
    public void fill(final Event event, final Dictionary dictionary,
                     final dev.ringmeter.core.privacy.Anonymizer privacy) {
        kind = KIND_VOID;
        timestampMs = event.timestampMs();
        model = dictionary.id(Dimension.MODEL, Dimension.MODEL.of(event));
        operation = dictionary.id(Dimension.OPERATION, Dimension.OPERATION.of(event));
        pipeline = dictionary.id(Dimension.PIPELINE, Dimension.PIPELINE.of(event));
        step = dictionary.id(Dimension.STEP, Dimension.STEP.of(event));
        run = dictionary.id(Dimension.RUN, privacy.field(Dimension.RUN, Dimension.RUN.of(event)));
        task = dictionary.id(Dimension.TASK, privacy.field(Dimension.TASK, Dimension.TASK.of(event)));
        config = dictionary.id(Dimension.CONFIG, privacy.field(Dimension.CONFIG, Dimension.CONFIG.of(event)));
        errorType = dictionary.id(Dimension.ERROR_TYPE, privacy.field(Dimension.ERROR_TYPE, Dimension.ERROR_TYPE.of(event)));
        provider = dictionary.id(Dimension.PROVIDER, Dimension.PROVIDER.of(event));
        tool = dictionary.id(Dimension.TOOL, Dimension.TOOL.of(event));
        agent = dictionary.id(Dimension.AGENT, Dimension.AGENT.of(event));
        dictionary.stepPair(pipeline, step);   // the pipeline step's aggregates: refused past the step limit
        latencyNs = event.latencyNs();
        ttftNs = event.ttftNs();
        queueWaitNs = event.queueWaitNs();
        promptTokens = event.promptTokens();
        completionTokens = event.completionTokens();
        cachedTokens = event.cachedTokens();
        cacheWriteTokens = event.cacheWriteTokens();
        reasoningTokens = event.reasoningTokens();
        status = (byte)event.status().ordinal();
        cache = (byte)event.cache().ordinal();
        retries = event.retries();
        memoryBytes = event.memoryBytes();
        cpuNs = event.cpuNs();
        costUsd = event.costUsd();
        costPriced = false;
        final int q = event.qualityCount();
        for (int i = 0; i < q; i++) {
            qualityNames[i] = dictionary.id(Dimension.QUALITY_NAME, event.qualityName(i));
            qualityValues[i] = event.qualityValue(i);
        }
        qualityCount = q;
        fillTags(event, dictionary, privacy);
        kind = KIND_EVENT;
    }

    /**
     * Copies a metric sample, turning its strings into ids. On an exception the slot is left as {@link #KIND_VOID}.
     *
     * @param sample     to copy; already validated.
     * @param privacy    hashes, drops or redacts its tag values first.
     * @param dictionary to resolve strings through.
     */
    public void fill(final MetricSample sample, final Dictionary dictionary,
                     final dev.ringmeter.core.privacy.Anonymizer privacy) {
        kind = KIND_VOID;
        timestampMs = sample.timestampMs();
        metricName = dictionary.id(Dimension.METRIC_NAME, sample.name());
        metricValue = sample.value();
        metricCount = sample.count();
        fillTags(sample, dictionary, privacy);
        kind = KIND_METRIC;
    }

    /**
     * Makes this slot the cost change of a journaled event: its time and ids, the difference and the count's.
     *
     * @param event          as read from the journal, its ids those of the store's dictionary.
     * @param deltaUsd       the difference to add to the counted cost.
     * @param costCountDelta +1, -1 or 0.
     */
    public void fillCostChange(final EventSlot event, final double deltaUsd, final int costCountDelta) {
        kind = KIND_VOID;
        timestampMs = event.timestampMs;
        model = event.model;
        operation = event.operation;
        pipeline = event.pipeline;
        step = event.step;
        run = event.run;
        task = event.task;
        config = event.config;
        errorType = event.errorType;
        provider = event.provider;
        tool = event.tool;
        agent = event.agent;
        status = event.status;
        retries = event.retries;
        promptTokens = event.promptTokens;
        completionTokens = event.completionTokens;
        System.arraycopy(event.tagKeys, 0, tagKeys, 0, event.tagCount);
        System.arraycopy(event.tagValues, 0, tagValues, 0, event.tagCount);
        tagCount = event.tagCount;
        qualityCount = 0;
        costUsd = deltaUsd;
        this.costCountDelta = costCountDelta;
        recompute = null;
        kind = KIND_COST_CHANGE;
    }

    /** Copies the tags a {@code privacy} keeps (a dropped tag is left out), their values as it returns them. */
    private void fillTags(final dev.ringmeter.Tagged tagged, final Dictionary dictionary,
                          final dev.ringmeter.core.privacy.Anonymizer privacy) {
        final int t = tagged.tagCount();
        int kept = 0;
        for (int i = 0; i < t; i++) {
            final String value = privacy.tagValue(tagged.tagKey(i), tagged.tagValue(i));
            if (value == null) {
                continue;
            }
            tagKeys[kept] = dictionary.id(Dimension.TAG_KEY, tagged.tagKey(i));
            tagValues[kept] = dictionary.id(Dimension.TAG_VALUE, value);
            kept++;
        }
        tagCount = kept;
    }

    /**
     * @return true if the event has a tag with this key and value id.
     * @param key   id of the tag key.
     * @param value id of the tag value.
     */
    public boolean hasTag(final int key, final int value) {
        for (int i = 0; i < tagCount; i++) {
            if (tagKeys[i] == key && tagValues[i] == value) {
                return true;
            }
        }
        return false;
    }

    /**
     * The one place that says which field of a slot holds each event field's id.
     *
     * @param dimension one of {@link Dimension#EVENT_FIELDS}.
     * @return the slot's id of that dimension, 0 for none.
     * @throws IllegalArgumentException if the dimension is not an event's own field.
     */
    public int id(final Dimension dimension) {
        switch (dimension) {
            case MODEL:
                return model;
            case OPERATION:
                return operation;
            case PIPELINE:
                return pipeline;
            case STEP:
                return step;
            case RUN:
                return run;
            case TASK:
                return task;
            case CONFIG:
                return config;
            case ERROR_TYPE:
                return errorType;
            case PROVIDER:
                return provider;
            case TOOL:
                return tool;
            case AGENT:
                return agent;
            default:
                throw new IllegalArgumentException(dimension + " is not a field of an event");
        }
    }
}
