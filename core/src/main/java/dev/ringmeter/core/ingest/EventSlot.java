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
    public long memoryBytes;
    public long cpuNs;
    public double costUsd;
    public int qualityCount;
    public final int[] qualityNames = new int[Event.MAX_QUALITY];
    public final double[] qualityValues = new double[Event.MAX_QUALITY];
    public int tagCount;
    public final int[] tagKeys = new int[Event.MAX_TAGS];
    public final int[] tagValues = new int[Event.MAX_TAGS];
    /** Metric samples: the metric's name id (the dimension {@link Dimension#METRIC_NAME}) and value. */
    public int metricName;
    public double metricValue;
    /** Price changes: USD per million input and output tokens of {@link #model}. */
    public double priceInputUsdPerMillion;
    public double priceOutputUsdPerMillion;

    /**
     * Copies an event, turning its strings into ids. On an exception the slot is left as {@link #KIND_VOID}.
     *
     * @param event      to copy; already validated.
     * @param dictionary to resolve strings through.
     */
    public void fill(final Event event, final Dictionary dictionary) {
        kind = KIND_VOID;
        timestampMs = event.timestampMs();
        model = dictionary.id(Dimension.MODEL, Dimension.MODEL.of(event));
        operation = dictionary.id(Dimension.OPERATION, Dimension.OPERATION.of(event));
        pipeline = dictionary.id(Dimension.PIPELINE, Dimension.PIPELINE.of(event));
        step = dictionary.id(Dimension.STEP, Dimension.STEP.of(event));
        run = dictionary.id(Dimension.RUN, Dimension.RUN.of(event));
        task = dictionary.id(Dimension.TASK, Dimension.TASK.of(event));
        config = dictionary.id(Dimension.CONFIG, Dimension.CONFIG.of(event));
        errorType = dictionary.id(Dimension.ERROR_TYPE, Dimension.ERROR_TYPE.of(event));
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
        final int q = event.qualityCount();
        for (int i = 0; i < q; i++) {
            qualityNames[i] = dictionary.id(Dimension.QUALITY_NAME, event.qualityName(i));
            qualityValues[i] = event.qualityValue(i);
        }
        qualityCount = q;
        fillTags(event, dictionary);
        kind = KIND_EVENT;
    }

    /**
     * Copies a metric sample, turning its strings into ids. On an exception the slot is left as {@link #KIND_VOID}.
     *
     * @param sample     to copy; already validated.
     * @param dictionary to resolve strings through.
     */
    public void fill(final MetricSample sample, final Dictionary dictionary) {
        kind = KIND_VOID;
        timestampMs = sample.timestampMs();
        metricName = dictionary.id(Dimension.METRIC_NAME, sample.name());
        metricValue = sample.value();
        fillTags(sample, dictionary);
        kind = KIND_METRIC;
    }

    private void fillTags(final dev.ringmeter.Tagged tagged, final Dictionary dictionary) {
        final int t = tagged.tagCount();
        for (int i = 0; i < t; i++) {
            tagKeys[i] = dictionary.id(Dimension.TAG_KEY, tagged.tagKey(i));
            tagValues[i] = dictionary.id(Dimension.TAG_VALUE, tagged.tagValue(i));
        }
        tagCount = t;
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
}
