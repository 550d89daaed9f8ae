package dev.ringmeter.core.dictionary;

import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.MetricSample;
import dev.ringmeter.Tagged;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes "a bad batch stores nothing" hold for strings. The {@link Dictionary} refuses a value too long or past its
 * dimension's cardinality limit only when an item is recorded, which in the middle of a batch would leave the items
 * before it stored. So, before any item of a batch is recorded, this applies the dictionary's own rules to every
 * string the batch brings that the dictionary does not know, and to every new pipeline step (a pipeline and step
 * pair, which the step limit counts), and registers them all or none: recording then finds every string and pipeline
 * step known and cannot fail on one.
 * <p>
 * Threading: any thread. A batch of known strings (the steady state) takes no lock and allocates nothing. A batch
 * with new strings checks and registers them holding the dictionary's own lock, the one every new value takes, so
 * the room it sees is exact whoever else writes to the dictionary.
 */
public final class DictionaryAdmission {
    private final Dictionary dictionary;
    private final dev.ringmeter.core.privacy.Anonymizer privacy;
    private final ItemScan<Event[]> events = (items, index, fresh) -> scanEvent(items[index], index, fresh);
    private final ItemScan<MetricSample[]> samples = (items, index, fresh) -> scanSample(items[index], index, fresh);
    private final ItemScan<List<String>> models =
        (items, index, fresh) -> check(Dimension.MODEL, items.get(index), index, fresh);

    /**
     * @param dictionary of the store.
     */
    public DictionaryAdmission(final Dictionary dictionary) {
        this(dictionary, dev.ringmeter.core.privacy.Anonymizer.NONE);
    }

    /**
     * @param dictionary of the store.
     * @param privacy    the store's: the values checked and registered are what it makes of the batch's strings,
     *                   the ones {@code record()} then looks up, never the raw values it hides.
     */
    public DictionaryAdmission(final Dictionary dictionary, final dev.ringmeter.core.privacy.Anonymizer privacy) {
        this.dictionary = dictionary;
        this.privacy = privacy;
    }

    /**
     * Checks and registers the strings of a batch of events.
     *
     * @param events the events; the first {@code count} are the batch.
     * @param count  how many.
     * @throws RefusedItemException naming the first item that brings a value too long, or one past its dimension's
     *                              limit; nothing of the batch is then registered.
     */
    public void admitEvents(final Event[] events, final int count) {
        admit(events, count, this.events);
    }

    /**
     * Checks and registers the strings of a batch of metric samples.
     *
     * @param samples the samples; the first {@code count} are the batch.
     * @param count   how many.
     * @throws RefusedItemException as for events.
     */
    public void admitSamples(final MetricSample[] samples, final int count) {
        admit(samples, count, this.samples);
    }

    /**
     * Checks and registers the model names of a batch of prices.
     *
     * @param models the names, by index in the batch.
     * @throws RefusedItemException as for events.
     */
    public void admitModels(final List<String> models) {
        admit(models, models.size(), this.models);
    }

    /** Checks the strings of one item of a batch. */
    private interface ItemScan<T> {
        /**
         * @param items the batch.
         * @param index of the item.
         * @param fresh collects the new values under the lock, or null for the first, lock-free pass.
         * @return true if the item brings a value new to the dictionary.
         */
        boolean scan(T items, int index, NewValues fresh);
    }

    /**
     * A first pass without the lock finds whether the batch brings anything new; only then a second pass, holding
     * the dictionary's lock, checks the new values against the room left and registers them all.
     */
    private <T> void admit(final T items, final int count, final ItemScan<T> scan) {
        boolean anyNew = false;
        for (int i = 0; i < count; i++) {
            anyNew |= scan.scan(items, i, null);
        }
        if (anyNew) {
            synchronized (dictionary) {
                final NewValues fresh = new NewValues();
                for (int i = 0; i < count; i++) {
                    scan.scan(items, i, fresh);
                }
                fresh.register();
            }
        }
    }

    private boolean scanEvent(final Event e, final int index, final NewValues fresh) {
        boolean anyNew = false;
        for (final Dimension d : Dimension.EVENT_FIELDS) {
            anyNew |= check(d, privacy.field(d, d.of(e)), index, fresh);
        }
        for (int t = 0; t < e.qualityCount(); t++) {
            anyNew |= check(Dimension.QUALITY_NAME, e.qualityName(t), index, fresh);
        }
        anyNew |= checkStepPair(e.pipeline(), e.step(), index, fresh);
        return scanTags(e, index, fresh) | anyNew;
    }

    private boolean scanSample(final MetricSample s, final int index, final NewValues fresh) {
        final boolean anyNew = check(Dimension.METRIC_NAME, s.name(), index, fresh);
        return scanTags(s, index, fresh) | anyNew;
    }

    private boolean scanTags(final Tagged tagged, final int index, final NewValues fresh) {
        boolean anyNew = false;
        for (int t = 0; t < tagged.tagCount(); t++) {
            final String value = privacy.tagValue(tagged.tagKey(t), tagged.tagValue(t));
            if (value == null) {
                continue;   // dropped with its key
            }
            anyNew |= check(Dimension.TAG_KEY, tagged.tagKey(t), index, fresh);
            anyNew |= check(Dimension.TAG_VALUE, value, index, fresh);
        }
        return anyNew;
    }

    /**
     * @param fresh collects the new values under the lock, or null for the first, lock-free pass.
     * @return true if the value is new to the dictionary.
     */
    private boolean check(final Dimension d, final String value, final int index, final NewValues fresh) {
        if (value == null || value.isEmpty() || dictionary.find(d, value) != 0) {
            return false;
        }
        try {
            dictionary.checkLength(d, value);
            if (fresh != null) {
                fresh.add(d, value);
            }
        } catch (final InvalidEventException e) {
            throw new RefusedItemException(index, e);
        }
        return true;
    }

    /**
     * @param fresh collects the new pipeline steps under the lock, or null for the first, lock-free pass.
     * @return true if the event names a pipeline step the dictionary does not know.
     */
    private boolean checkStepPair(final String pipeline, final String step, final int index, final NewValues fresh) {
        if (step == null || step.isEmpty()) {
            return false;
        }
        final int s = dictionary.find(Dimension.STEP, step);
        final int p = pipeline == null || pipeline.isEmpty() ? 0 : dictionary.find(Dimension.PIPELINE, pipeline);
        if (s != 0 && (p != 0 || pipeline == null || pipeline.isEmpty()) && dictionary.findStepPair(p, s) != 0) {
            return false;
        }
        if (fresh != null) {
            try {
                fresh.addStepPair(pipeline == null ? "" : pipeline, step);
            } catch (final InvalidEventException e) {
                throw new RefusedItemException(index, e);
            }
        }
        return true;
    }

    /**
     * The values a batch brings that the dictionary does not know, per dimension, in the order the batch brings
     * them (the order their ids are given in). Used under the lock only.
     */
    private final class NewValues {
        @SuppressWarnings({"unchecked", "rawtypes"})
        private final Set<String>[] values = new Set[Dimension.VALUES.length];
        /** The new pipeline steps, each as {pipeline ("" for none), step}. */
        private Set<List<String>> stepPairs;

        /** @throws dev.ringmeter.CardinalityLimitException if the dimension has no room for one more value. */
        void add(final Dimension d, final String value) {
            Set<String> set = values[d.ordinal()];
            if (set == null) {
                set = new LinkedHashSet<>();
                values[d.ordinal()] = set;
            }
            if (set.add(value)) {
                dictionary.checkRoom(d, set.size());
            }
        }

        /** @throws dev.ringmeter.CardinalityLimitException if there is no room for one more pipeline step. */
        void addStepPair(final String pipeline, final String step) {
            if (stepPairs == null) {
                stepPairs = new LinkedHashSet<>();
            }
            if (stepPairs.add(List.of(pipeline, step))) {
                dictionary.checkStepPairRoom(stepPairs.size());
            }
        }

        void register() {
            for (final Dimension d : Dimension.VALUES) {
                final Set<String> set = values[d.ordinal()];
                if (set != null) {
                    for (final String value : set) {
                        dictionary.id(d, value);
                    }
                }
            }
            if (stepPairs != null) {
                for (final List<String> pair : stepPairs) {
                    dictionary.stepPair(dictionary.id(Dimension.PIPELINE, pair.get(0)),
                        dictionary.id(Dimension.STEP, pair.get(1)));
                }
            }
        }
    }
}
