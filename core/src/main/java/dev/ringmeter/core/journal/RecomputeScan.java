package dev.ringmeter.core.journal;

import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import net.openhft.chronicle.queue.ExcerptTailer;

/**
 * Reads the events a recompute covers: those of its time range in the journal documents before its own record.
 * Each is decoded with the names its cycle's dictionary records give, and handed on with its ids translated to
 * the store's current ids (0 for a value no longer live, as an id of a released dimension idle past its window),
 * with its model's name.
 * <p>
 * Threading: runs on the caller's thread (the recompute's, or the recovering thread) with its own tailer; one
 * scan per call.
 */
public final class RecomputeScan {
    /** Told of each covered event; the slot is reused. */
    @FunctionalInterface
    public interface Visitor {
        /**
         * @param event        the event, ids the store's; its journal document in {@link EventSlot#journalIndex}.
         * @param model        its model's name, or null for none.
         */
        void onEvent(EventSlot event, String model);
    }

    /** Ends the read at the recompute's own document. */
    private static final class End extends RuntimeException {
        private static final long serialVersionUID = 1L;

        End() {
            super(null, null, false, false);
        }
    }

    private RecomputeScan() {
    }

    /**
     * @param journal     to read.
     * @param config      the store's: its limits and future skew.
     * @param dictionary  the store's, to translate names into its ids.
     * @param fromMs      range start, inclusive.
     * @param toMs        range end, exclusive.
     * @param beforeIndex the recompute's document: only documents before it are read.
     * @param visitor     told of each covered event.
     * @return the records read.
     */
    public static long scan(final Journal journal, final StoreConfig config, final Dictionary dictionary,
                            final long fromMs, final long toMs, final long beforeIndex, final Visitor visitor) {
        final Names names = new Names(config, dictionary);
        final EventSlot slot = new EventSlot();
        final long[] read = {0};
        try (ExcerptTailer tailer = journal.queue().createTailer()) {
            if (!journal.moveToTime(tailer, Math.max(0, fromMs - config.maxFutureSkewMs()))) {
                return 0;
            }
            try {
                journal.read(tailer, slot, names, e -> {
                    if (e.journalIndex >= beforeIndex) {
                        throw new End();
                    }
                    read[0]++;
                    if (e.kind == EventSlot.KIND_EVENT && e.timestampMs >= fromMs && e.timestampMs < toMs) {
                        final String model = names.name(Dimension.MODEL, e.model);
                        names.translate(e);
                        visitor.onEvent(e, model);
                    }
                }, false);
            } catch (final End end) {
                // the recompute's own document: everything it covers is read
            }
        }
        return read[0];
    }

    /** The scan's decoder: the names of its cycles' dictionary records, translated to the store's ids. */
    private static final class Names implements RecordNames {
        private final int[] limits = new int[Dimension.VALUES.length];
        private final String[][] names = new String[Dimension.VALUES.length][];
        private final Dictionary dictionary;

        Names(final StoreConfig config, final Dictionary dictionary) {
            this.dictionary = dictionary;
            final int[] l = config.cardinalityLimits();
            for (final Dimension d : Dimension.VALUES) {
                limits[d.ordinal()] = Dictionary.idLimit(d, l[d.ordinal()]);
                names[d.ordinal()] = new String[16];
            }
        }

        @Override
        public boolean bind(final Dimension dimension, final int id, final String name) {
            final int d = dimension.ordinal();
            if (id <= 0 || id > limits[d]) {
                return false;
            }
            if (id >= names[d].length) {
                names[d] = java.util.Arrays.copyOf(names[d], (int)Math.min(limits[d] + 1L,
                    Math.max(id + 1L, names[d].length * 2L)));
            }
            names[d][id] = name;
            return true;
        }

        @Override
        public boolean knows(final Dimension dimension, final int id, final int version) {
            if (name(dimension, id) != null) {
                return true;
            }
            if (version == JournalDescriptor.VERSION_1 && !dimension.released() && dictionary.knows(dimension, id)) {
                return bind(dimension, id, dictionary.name(dimension, id));
            }
            return false;
        }

        String name(final Dimension dimension, final int id) {
            final String[] n = names[dimension.ordinal()];
            return id > 0 && id < n.length ? n[id] : null;
        }

        private int storeId(final Dimension dimension, final int id) {
            final String name = name(dimension, id);
            return name == null ? 0 : dictionary.find(dimension, name);
        }

        /** Makes the event's ids the store's. */
        void translate(final EventSlot e) {
            e.model = storeId(Dimension.MODEL, e.model);
            e.operation = storeId(Dimension.OPERATION, e.operation);
            e.pipeline = storeId(Dimension.PIPELINE, e.pipeline);
            e.step = storeId(Dimension.STEP, e.step);
            e.run = storeId(Dimension.RUN, e.run);
            e.task = storeId(Dimension.TASK, e.task);
            e.config = storeId(Dimension.CONFIG, e.config);
            e.errorType = storeId(Dimension.ERROR_TYPE, e.errorType);
            e.provider = storeId(Dimension.PROVIDER, e.provider);
            e.tool = storeId(Dimension.TOOL, e.tool);
            e.agent = storeId(Dimension.AGENT, e.agent);
            for (int i = 0; i < e.tagCount; i++) {
                e.tagKeys[i] = storeId(Dimension.TAG_KEY, e.tagKeys[i]);
                e.tagValues[i] = storeId(Dimension.TAG_VALUE, e.tagValues[i]);
            }
        }
    }
}
