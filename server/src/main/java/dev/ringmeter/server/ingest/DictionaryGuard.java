package dev.ringmeter.server.ingest;

import dev.ringmeter.Event;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.server.http.ApiException;

import java.util.HashMap;
import java.util.Map;

/**
 * Makes "a bad batch stores nothing" hold for strings too. The store's dictionary refuses a new value past its
 * dimension's cardinality limit only when the event is recorded, which in the middle of a batch would leave the
 * events before it stored. So, before any event of a batch is recorded, this checks every string's length (413)
 * and, if the batch brings values the dictionary has never seen, checks under one lock that they all fit within
 * the limits (422 naming the field and the first index that needs it) and registers them; recording then finds
 * every string known and cannot fail on one.
 * <p>
 * Threading: any request thread. A batch of known strings (the steady state) takes no lock and allocates nothing;
 * only batches with new strings serialise on the guard's lock. Every writer of the store's dictionary in the server
 * (ingest and pricing) passes through here, which is what makes the check under the lock exact.
 */
public final class DictionaryGuard {
    private static final Dimension[] EVENT_DIMENSIONS = {
        Dimension.MODEL, Dimension.OPERATION, Dimension.PIPELINE, Dimension.STEP, Dimension.RUN, Dimension.TASK,
        Dimension.CONFIG, Dimension.ERROR_TYPE,
    };

    private final Dictionary dictionary;
    private final int[] limits;
    private final int maxStringLength;
    private final Object growthLock = new Object();

    /**
     * @param dictionary      of the store.
     * @param limits          cardinality limit of each dimension, by ordinal (the store's configuration).
     * @param maxStringLength longest value accepted (the store's configuration).
     */
    public DictionaryGuard(final Dictionary dictionary, final int[] limits, final int maxStringLength) {
        this.dictionary = dictionary;
        this.limits = limits.clone();
        this.maxStringLength = maxStringLength;
    }

    /**
     * Checks and registers the strings of a batch of events.
     *
     * @param batch the events.
     * @param count how many.
     * @throws ApiException 413 for a string too long, 422 for a dimension that would pass its limit.
     */
    void admitEvents(final IngestBatch batch, final int count) {
        boolean anyNew = false;
        for (int i = 0; i < count; i++) {
            anyNew |= scanEvent(batch.filledEvent(i), i, null);
        }
        if (anyNew) {
            synchronized (growthLock) {
                final NewValues fresh = new NewValues();
                for (int i = 0; i < count; i++) {
                    scanEvent(batch.filledEvent(i), i, fresh);
                }
                fresh.register();
            }
        }
    }

    /**
     * Checks and registers the strings of a batch of metric samples.
     *
     * @param batch the samples.
     * @param count how many.
     * @throws ApiException 413 for a string too long, 422 for a dimension that would pass its limit.
     */
    void admitSamples(final IngestBatch batch, final int count) {
        boolean anyNew = false;
        for (int i = 0; i < count; i++) {
            anyNew |= scanSample(batch.filledSample(i), i, null);
        }
        if (anyNew) {
            synchronized (growthLock) {
                final NewValues fresh = new NewValues();
                for (int i = 0; i < count; i++) {
                    scanSample(batch.filledSample(i), i, fresh);
                }
                fresh.register();
            }
        }
    }

    /**
     * Checks and registers one model name (pricing).
     *
     * @param model the name.
     * @throws ApiException 413 or 422 as for a batch.
     */
    void admitModel(final String model) {
        if (check(Dimension.MODEL, model, -1, null)) {
            synchronized (growthLock) {
                final NewValues fresh = new NewValues();
                check(Dimension.MODEL, model, -1, fresh);
                fresh.register();
            }
        }
    }

    private boolean scanEvent(final Event e, final int index, final NewValues fresh) {
        boolean anyNew = false;
        for (final Dimension d : EVENT_DIMENSIONS) {
            anyNew |= check(d, value(e, d), index, fresh);
        }
        for (int t = 0; t < e.qualityCount(); t++) {
            anyNew |= check(Dimension.QUALITY_NAME, e.qualityName(t), index, fresh);
        }
        for (int t = 0; t < e.tagCount(); t++) {
            anyNew |= check(Dimension.TAG_KEY, e.tagKey(t), index, fresh);
            anyNew |= check(Dimension.TAG_VALUE, e.tagValue(t), index, fresh);
        }
        return anyNew;
    }

    private boolean scanSample(final MetricSample s, final int index, final NewValues fresh) {
        boolean anyNew = check(Dimension.METRIC_NAME, s.name(), index, fresh);
        for (int t = 0; t < s.tagCount(); t++) {
            anyNew |= check(Dimension.TAG_KEY, s.tagKey(t), index, fresh);
            anyNew |= check(Dimension.TAG_VALUE, s.tagValue(t), index, fresh);
        }
        return anyNew;
    }

    private static String value(final Event e, final Dimension d) {
        switch (d) {
            case MODEL:
                return e.model();
            case OPERATION:
                return e.operation();
            case PIPELINE:
                return e.pipeline();
            case STEP:
                return e.step();
            case RUN:
                return e.run();
            case TASK:
                return e.task();
            case CONFIG:
                return e.config();
            default:
                return e.errorType();
        }
    }

    /**
     * @return true if the value is new to the dictionary.
     */
    private boolean check(final Dimension d, final String value, final int index, final NewValues fresh) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        if (value.length() > maxStringLength) {
            throw ApiException.tooLarge(d.field(), index,
                d.field() + " must be at most " + maxStringLength + " characters but was " + value.length());
        }
        if (dictionary.find(d, value) != 0) {
            return false;
        }
        if (fresh != null) {
            fresh.add(d, value, index);
        }
        return true;
    }

    /** The values a batch brings that the dictionary does not know, per dimension. Used under the lock only. */
    private final class NewValues {
        @SuppressWarnings({"unchecked", "rawtypes"})
        private final Map<String, Integer>[] values = new Map[Dimension.values().length];

        void add(final Dimension d, final String value, final int index) {
            Map<String, Integer> m = values[d.ordinal()];
            if (m == null) {
                m = new HashMap<>();
                values[d.ordinal()] = m;
            }
            if (m.putIfAbsent(value, index) == null) {
                final int limit = limits[d.ordinal()];
                if (dictionary.size(d) + m.size() > limit) {
                    throw ApiException.invalid(d.field(), index, d.field() + " has reached its cardinality limit of "
                        + limit + " distinct values");
                }
            }
        }

        void register() {
            for (final Dimension d : Dimension.values()) {
                final Map<String, Integer> m = values[d.ordinal()];
                if (m != null) {
                    for (final String value : m.keySet()) {
                        dictionary.id(d, value);
                    }
                }
            }
        }
    }
}
