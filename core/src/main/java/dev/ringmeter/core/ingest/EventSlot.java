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
 * <p>
 * Layout: the fields of the common event, and those the consumers write, are {@link EventSlotLine}'s, laid out
 * first (about 100 bytes); the rest (pipeline, step, run, task, configuration, tool and agent ids, queue wait,
 * cached and reasoning tokens, memory, CPU, quality scores, tags, metric, price and command fields) follow. An
 * event that has none of the rare fields does not write them: {@link #extras} says whether they may hold anything
 * but their defaults, so the producer clears them once, when an event without them follows one with them, and an
 * event's hand-off from core to core moves the first two cache lines of the slot, not all five. Memory: about
 * 270 bytes and four arrays of {@link Event#MAX_QUALITY} or {@link Event#MAX_TAGS} entries per slot, fixed.
 */
public final class EventSlot extends EventSlotLine {
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

    public int pipeline;
    public int step;
    public int run;
    public int task;
    public int config;
    public int tool;
    public int agent;
    public long queueWaitNs;
    /** Prompt tokens read from and written to the provider's cache, and completion tokens spent reasoning. */
    public long cachedTokens;
    public long cacheWriteTokens;
    public long reasoningTokens;
    public long memoryBytes;
    public long cpuNs;
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
        final boolean rare = hasRareFields(event);
        if (rare) {
            extras = true;
        } else if (extras) {
            clearRareFields();
        }
        model = dictionary.id(Dimension.MODEL, Dimension.MODEL.of(event));
        operation = dictionary.id(Dimension.OPERATION, Dimension.OPERATION.of(event));
        if (rare) {
            pipeline = dictionary.id(Dimension.PIPELINE, Dimension.PIPELINE.of(event));
            step = dictionary.id(Dimension.STEP, Dimension.STEP.of(event));
            run = dictionary.id(Dimension.RUN, privacy.field(Dimension.RUN, Dimension.RUN.of(event)));
            task = dictionary.id(Dimension.TASK, privacy.field(Dimension.TASK, Dimension.TASK.of(event)));
            config = dictionary.id(Dimension.CONFIG, privacy.field(Dimension.CONFIG, Dimension.CONFIG.of(event)));
        }
        errorType = dictionary.id(Dimension.ERROR_TYPE, privacy.field(Dimension.ERROR_TYPE, Dimension.ERROR_TYPE.of(event)));
        provider = dictionary.id(Dimension.PROVIDER, Dimension.PROVIDER.of(event));
        if (rare) {
            tool = dictionary.id(Dimension.TOOL, Dimension.TOOL.of(event));
            agent = dictionary.id(Dimension.AGENT, Dimension.AGENT.of(event));
        }
        dictionary.stepPair(pipeline, step);   // the pipeline step's aggregates: refused past the step limit
        latencyNs = event.latencyNs();
        ttftNs = event.ttftNs();
        promptTokens = event.promptTokens();
        completionTokens = event.completionTokens();
        status = (byte)event.status().ordinal();
        cache = (byte)event.cache().ordinal();
        retries = event.retries();
        costUsd = event.costUsd();
        costPriced = false;
        if (rare) {
            queueWaitNs = event.queueWaitNs();
            cachedTokens = event.cachedTokens();
            cacheWriteTokens = event.cacheWriteTokens();
            reasoningTokens = event.reasoningTokens();
            memoryBytes = event.memoryBytes();
            cpuNs = event.cpuNs();
            final int q = event.qualityCount();
            for (int i = 0; i < q; i++) {
                qualityNames[i] = dictionary.id(Dimension.QUALITY_NAME, event.qualityName(i));
                qualityValues[i] = event.qualityValue(i);
            }
            qualityCount = q;
            fillTags(event, dictionary, privacy);
        }
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
        extras = true;
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
        extras = true;
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

    /**
     * The one place that says which fields of an event are rare: those {@link #fill(Event, Dictionary,
     * dev.ringmeter.core.privacy.Anonymizer)} writes only when the event has one of them.
     */
    private static boolean hasRareFields(final Event event) {
        return present(Dimension.PIPELINE.of(event)) || present(Dimension.STEP.of(event))
            || present(Dimension.RUN.of(event)) || present(Dimension.TASK.of(event))
            || present(Dimension.CONFIG.of(event)) || present(Dimension.TOOL.of(event))
            || present(Dimension.AGENT.of(event))
            || event.queueWaitNs() != Event.NONE || event.cachedTokens() != Event.NONE
            || event.cacheWriteTokens() != Event.NONE || event.reasoningTokens() != Event.NONE
            || event.memoryBytes() != Event.NONE || event.cpuNs() != Event.NONE
            || event.qualityCount() > 0 || event.tagCount() > 0;
    }

    private static boolean present(final String value) {
        return value != null && !value.isEmpty();   // as Dictionary.id reads it: null or empty is absent
    }

    /** Gives the rare fields an event may carry the values of an event without them. */
    private void clearRareFields() {
        pipeline = 0;
        step = 0;
        run = 0;
        task = 0;
        config = 0;
        tool = 0;
        agent = 0;
        queueWaitNs = Event.NONE;
        cachedTokens = Event.NONE;
        cacheWriteTokens = Event.NONE;
        reasoningTokens = Event.NONE;
        memoryBytes = Event.NONE;
        cpuNs = Event.NONE;
        qualityCount = 0;
        tagCount = 0;
        extras = false;
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
