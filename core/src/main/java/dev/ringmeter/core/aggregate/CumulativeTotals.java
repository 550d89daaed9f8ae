package dev.ringmeter.core.aggregate;

import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;

import java.util.Arrays;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Monotonic totals since the store was created: the events and custom metric samples applied, those older than
 * the retention when they arrived, and per model the {@link ModelTotals} a Prometheus exposition reads. They are
 * part of the snapshot, and a recovery replays the journal after the snapshot through the same writer, so each
 * journaled event is counted exactly once however the store restarts.
 * <p>
 * Threading: not thread-safe; written by the aggregate writer, read under the aggregates' lock.
 */
final class CumulativeTotals {
    long events;
    long metricSamples;
    long expired;
    ModelTotals[] models = new ModelTotals[16];

    /**
     * Counts an event for its model.
     *
     * @param e the event, its cost stamped.
     */
    void addEvent(final EventSlot e) {
        events++;
        model(e.model).add(e);
    }

    /**
     * @param id of a model.
     * @return its totals, created empty on first use.
     */
    ModelTotals model(final int id) {
        if (id >= models.length) {
            models = Arrays.copyOf(models, Math.max(id + 1, models.length * 2));
        }
        ModelTotals m = models[id];
        if (m == null) {
            m = new ModelTotals();
            models[id] = m;
        }
        return m;
    }

    /**
     * @param dictionary to name the models and error types.
     * @return a copy of every model's totals by model name, in name order (allocates).
     */
    SortedMap<String, CallTotals> copy(final Dictionary dictionary) {
        final SortedMap<String, CallTotals> copy = new TreeMap<>();
        for (int id = 1; id < models.length; id++) {
            if (models[id] != null) {
                copy.put(dictionary.name(Dimension.MODEL, id), models[id].copy(dictionary));
            }
        }
        return copy;
    }

    /** @return an estimate of the heap held, in bytes. */
    long footprintBytes() {
        long bytes = 48 + 16 + models.length * 4L;
        for (final ModelTotals m : models) {
            if (m != null) {
                bytes += m.footprintBytes();
            }
        }
        return bytes;
    }
}
